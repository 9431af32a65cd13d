using FcgiActors.Client.Bridge;

namespace FcgiActors.Cli.Commands;

/// <summary>
/// `fcgi bridge ...` with cgi-fcgi's own argument syntax. Program.Main dispatches here before
/// anything else is touched, so the bridge starts lean: no parser, no host, no configuration,
/// no logging, no actor system — one connection and one request, synchronously (docs/bridge.md).
/// </summary>
internal static class BridgeCommand
{
    // read(2) and write(2) straight on fds 0, 1 and 2, as cgi-fcgi: no FileStream buffering or
    // position tracking, and nothing to close at exit (the descriptors are not ours).
    public static int Run(string[] args) =>
        new BridgeRunner().Run(args, ProcessEnvironment.Read(),
            new DescriptorStream(0, writable: false), new DescriptorStream(1, writable: true), new DescriptorStream(2, writable: true));
}
