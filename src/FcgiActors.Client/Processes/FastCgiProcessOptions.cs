using System.Runtime.InteropServices;

namespace FcgiActors.Client.Processes;

/// <summary>How <see cref="FastCgiProcess"/> sets up a child's descriptors, environment and signals.</summary>
internal sealed record FastCgiProcessOptions
{
    /// <summary>fd 0 of the child (FCGI_LISTENSOCK_FILENO, §2.2); null puts /dev/null there.</summary>
    public SafeHandle? ListenSocket { get; init; }

    /// <summary>The child's whole environment; null passes ours unchanged (environ).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>fds 1 and 2 on /dev/null (a web server's FastCGI app has no terminal); false shares ours.</summary>
    public bool DiscardOutput { get; init; }

    /// <summary>A file name without a slash is searched on PATH (posix_spawnp), as a shell would.</summary>
    public bool SearchPath { get; init; }

    /// <summary>
    /// Every signal at its default disposition in the child; false resets SIGPIPE only, keeping
    /// what our parent ignored (e.g. SIGHUP under nohup), as a fork and exec would.
    /// </summary>
    public bool DefaultAllSignals { get; init; }
}
