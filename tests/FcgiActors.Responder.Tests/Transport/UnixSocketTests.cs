using System.Net.Sockets;
using System.Runtime.InteropServices;
using FcgiActors.Responder.Tests.Support;

namespace FcgiActors.Responder.Tests.Transport;

public sealed class UnixSocketTests
{
    private static string TempSocketPath() => Path.Combine(Path.GetTempPath(), "fcgi-u-" + Guid.NewGuid().ToString("N")[..8] + ".sock");

    [Fact]
    public async Task UnixSocket_IsCreated0660_WhateverTheUmask()
    {
        var path = TempSocketPath();
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Unix(path)] };
        var previous = Umask(0);
        TestServer server;
        try
        {
            server = await TestServer.StartAsync(_ => Task.CompletedTask, settings);
        }
        finally
        {
            Umask(previous);
        }

        await using (server)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
            await using var connection = await RawConnection.ConnectAsync(new UnixDomainSocketEndPoint(path));
            await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
            Assert.Single(await connection.ReadUntilEndAsync(1), r => r.Type == Protocol.RecordType.EndRequest);
        }
    }

    [Fact]
    public async Task UnixSocket_ModeIsSettable()
    {
        var path = TempSocketPath();
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Unix(path)], UnixSocketMode = Convert.ToInt32("600", 8) };
        await using var server = await TestServer.StartAsync(_ => Task.CompletedTask, settings);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task UnixSocket_OwnerAndGroupAreSettable()
    {
        var path = TempSocketPath();
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Unix(path)], UnixSocketOwner = "root", UnixSocketGroup = "0" };
        await using var server = await TestServer.StartAsync(_ => Task.CompletedTask, settings);

        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task UnixSocket_StaleSocketFile_IsReplaced()
    {
        var path = TempSocketPath();
        // A process that bound the socket and died without unlinking it (.NET unlinks on dispose).
        var crashed = await ProcessRunner.RunAsync("/usr/bin/python3",
            ["-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)", path], new Dictionary<string, string>());
        Assert.Equal(0, crashed.ExitCode);

        Assert.True(File.Exists(path));
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Unix(path)] };
        await using var server = await TestServer.StartAsync(_ => Task.CompletedTask, settings);
        await using var connection = await RawConnection.ConnectAsync(new UnixDomainSocketEndPoint(path));
    }

    [Fact]
    public async Task UnixSocket_PathInUseByALiveServer_FailsToStart()
    {
        var path = TempSocketPath();
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Unix(path)] };
        await using var first = await TestServer.StartAsync(_ => Task.CompletedTask, settings);

        var error = await Assert.ThrowsAsync<IOException>(() => TestServer.StartAsync(_ => Task.CompletedTask, settings));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public async Task UnixSocket_PathIsARegularFile_FailsToStartAndKeepsTheFile()
    {
        var path = TempSocketPath();
        await File.WriteAllTextAsync(path, "data");
        try
        {
            var settings = ResponderSettings.Default with { Listen = [ListenAddress.Unix(path)] };
            await Assert.ThrowsAsync<IOException>(() => TestServer.StartAsync(_ => Task.CompletedTask, settings));
            Assert.Equal("data", await File.ReadAllTextAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task TcpPortInUse_FailsToStart_NamingTheAddress()
    {
        await using var first = await TestServer.StartAsync(_ => Task.CompletedTask);
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Parse("127.0.0.1:" + first.Port)] };

        var error = await Assert.ThrowsAsync<IOException>(() => TestServer.StartAsync(_ => Task.CompletedTask, settings));
        Assert.Contains("127.0.0.1:" + first.Port, error.Message);
    }

    [Fact]
    public async Task Ipv6Loopback_IsServed()
    {
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Parse("[::1]:0")] };
        await using var server = await TestServer.StartAsync(_ => Task.CompletedTask, settings);
        await using var connection = await RawConnection.ConnectAsync(server.Server.BoundEndPoints[0]);
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        Assert.Single(await connection.ReadUntilEndAsync(1), r => r.Type == Protocol.RecordType.EndRequest);
    }

    [Fact]
    public void InheritedSocket_Fd0OfTheTestRunner_IsNotAListeningSocket() =>
        Assert.False(FcgiServer.IsInheritedListenSocketAvailable());

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
