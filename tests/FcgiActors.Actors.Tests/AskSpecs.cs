using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class AskSpecs : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Fact]
    public async Task Ask_ActorReplies_ReturnsReply()
    {
        var echo = _kit.System.ActorOf(Props.Create(() => new Echo()));
        Assert.Equal("ping", await echo.Ask<string>("ping", Timeout));
    }

    [Fact]
    public async Task Ask_ReplyIsStatusFailure_ThrowsCause()
    {
        var echo = _kit.System.ActorOf(Props.Create(() => new Echo()));
        var cause = new InvalidOperationException("no backend");
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => echo.Ask<string>(new Status.Failure(cause), Timeout));
        Assert.Same(cause, thrown);
    }

    [Fact]
    public async Task Ask_NoReply_ThrowsAskTimeoutException()
    {
        var probe = _kit.CreateProbe();
        var thrown = await Assert.ThrowsAsync<AskTimeoutException>(() => probe.Ref.Ask<string>("silence", TimeSpan.FromMilliseconds(100)));
        Assert.Contains(probe.Ref.Path, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_ReplyLater_TemporarySenderReceivesIt()
    {
        var probe = _kit.CreateProbe();
        var ask = probe.Ref.Ask<int>("question", Timeout);
        Assert.Equal("question", await probe.ExpectMsgAsync<string>());
        Assert.StartsWith("/temp/", probe.LastSender.Path, StringComparison.Ordinal);
        probe.Reply(42);
        Assert.Equal(42, await ask);
    }

    [Fact]
    public async Task Ask_ReplyOfOtherType_ThrowsInvalidCast()
    {
        var echo = _kit.System.ActorOf(Props.Create(() => new Echo()));
        await Assert.ThrowsAsync<InvalidCastException>(() => echo.Ask<int>("not a number", Timeout));
    }

    [Fact]
    public async Task Ask_Cancelled_ThrowsOperationCanceled()
    {
        var probe = _kit.CreateProbe();
        using var cts = new CancellationTokenSource();
        var ask = probe.Ref.Ask<string>("question", Timeout, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask);
    }

    [Fact]
    public async Task Ask_DeadActor_TimesOut()
    {
        var echo = _kit.System.ActorOf(Props.Create(() => new Echo()));
        var probe = _kit.CreateProbe();
        probe.Watch(echo);
        _kit.System.Stop(echo);
        await probe.ExpectTerminatedAsync(echo);
        await Assert.ThrowsAsync<AskTimeoutException>(() => echo.Ask<string>("anyone?", TimeSpan.FromMilliseconds(50)));
    }
}
