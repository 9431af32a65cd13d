using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class ChildrenSpecs : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Fact]
    public async Task ActorOf_Named_PathsNestUnderUser()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref), "listener");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "conn-3"), Timeout);
        Assert.Equal("/user/listener", parent.Path);
        Assert.Equal("/user/listener/conn-3", child.Path);
    }

    [Fact]
    public async Task ActorOf_WithoutName_GivesUniqueNames()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref), "parent");
        var first = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref)), Timeout);
        var second = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref)), Timeout);
        Assert.NotEqual(first.Path, second.Path);
        Assert.StartsWith("/user/parent/$", first.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void ActorOf_NameTakenBySibling_ThrowsInvalidActorName()
    {
        var probe = _kit.CreateProbe();
        _kit.System.ActorOf(WorkerProps(probe.Ref), "twin");
        Assert.Throws<InvalidActorNameException>(() => _kit.System.ActorOf(WorkerProps(probe.Ref), "twin"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void ActorOf_InvalidName_ThrowsInvalidActorName(string name)
    {
        var probe = _kit.CreateProbe();
        Assert.Throws<InvalidActorNameException>(() => _kit.System.ActorOf(WorkerProps(probe.Ref), name));
    }

    [Fact]
    public async Task ActorOf_NameOfStoppedSibling_CanBeReused()
    {
        var probe = _kit.CreateProbe();
        var first = _kit.System.ActorOf(WorkerProps(probe.Ref), "reused");
        _kit.System.Stop(first);
        var second = _kit.System.ActorOf(WorkerProps(probe.Ref), "reused");
        Assert.NotEqual(first, second);
        Assert.Equal(first.Path, second.Path);
    }

    [Fact]
    public async Task Children_ListsLiveChildren()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(Props.Create(() => new Family(probe.Ref)), "family");
        var names = await parent.Ask<string>("children", Timeout);
        Assert.Equal("a,b", names);
    }

    [Fact]
    public async Task Parent_OfTopLevelActor_IsUserGuardian()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(Props.Create(() => new Family(probe.Ref)), "family");
        Assert.Equal("/user", await parent.Ask<string>("parent", Timeout));
    }

    [Fact]
    public async Task Stop_Parent_StopsChildrenFirst()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref), "p");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "c"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart" && l.Path == "/user/p/c");
        _kit.System.Stop(parent);
        Assert.Equal(new Lifecycle("PostStop", "/user/p/c"), await probe.ExpectMsgAsync<Lifecycle>());
        Assert.Equal(new Lifecycle("PostStop", "/user/p"), await probe.ExpectMsgAsync<Lifecycle>());
        Assert.NotNull(child);
    }

    private sealed class Family : ReceiveActor
    {
        public Family(IActorRef probe)
        {
            Receive<string>(_ => Sender.Tell(string.Join(",", Context.Children.Select(c => c.Path.Split('/')[^1]).Order())), s => s == "children");
            Receive<string>(_ => Sender.Tell(Context.Parent.Path), s => s == "parent");
            ReceiveAny(m => probe.Tell(m));
        }

        protected override void PreStart()
        {
            Context.ActorOf(Props.Create(() => new Echo()), "b");
            Context.ActorOf(Props.Create(() => new Echo()), "a");
        }
    }
}
