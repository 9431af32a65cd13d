namespace FcgiActors.Proxy;

/// <summary>
/// How a pool spawns and supervises its backend processes (like spawn-fcgi / mod_fcgid).
/// The special command <see cref="SelfCommand"/> runs this very executable (`fcgi`).
/// </summary>
public sealed record SpawnSettings
{
    /// <summary>The command that means "this fcgi executable" (Environment.ProcessPath, plus fcgi.dll under `dotnet`).</summary>
    public const string SelfCommand = "@self";

    /// <summary>Executable path or name on PATH; fcgi.proxy.pools.NAME.spawn.command.</summary>
    public string Command { get; init; } = "";

    /// <summary>Arguments; `{address}` and `{index}` are replaced per process; fcgi.proxy.pools.NAME.spawn.args.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Number of processes; fcgi.proxy.pools.NAME.spawn.count.</summary>
    public int Count { get; init; } = 1;

    /// <summary>
    /// Where each process listens: "fd:0" (the proxy creates a private Unix socket per process and
    /// hands it as fd 0, FCGI_LISTENSOCK_FILENO, §2.2), or an address pattern such as
    /// "unix:/run/app-{index}.sock" / "127.0.0.1:{port}" passed to the process through `{address}`
    /// and FCGI_LISTEN_ADDRESS; fcgi.proxy.pools.NAME.spawn.listen.
    /// </summary>
    public string Listen { get; init; } = "fd:0";

    /// <summary>Extra environment variables; fcgi.proxy.pools.NAME.spawn.environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>First restart delay; doubles per consecutive crash; fcgi.proxy.pools.NAME.spawn.restart-min-backoff.</summary>
    public TimeSpan RestartMinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest restart delay; fcgi.proxy.pools.NAME.spawn.restart-max-backoff.</summary>
    public TimeSpan RestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A process that ran this long resets the backoff; fcgi.proxy.pools.NAME.spawn.restart-reset-after.</summary>
    public TimeSpan RestartResetAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>SIGTERM, then SIGKILL after this long; fcgi.proxy.pools.NAME.spawn.stop-timeout.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a started process may take to accept connections; fcgi.proxy.pools.NAME.spawn.start-timeout.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
