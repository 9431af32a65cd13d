namespace FcgiActors.Client.Tests.Support;

/// <summary>
/// The processes holding a Unix listen socket as fd 0 (what `-start` leaves behind), found
/// through /proc, so tests stop exactly the children they caused by PID.
/// </summary>
internal static class ListenerProcesses
{
    public static IReadOnlyList<int> Find(string socketPath)
    {
        var inodes = new HashSet<string>();
        foreach (var line in File.ReadLines("/proc/net/unix").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 8 && fields[7] == socketPath)
            {
                inodes.Add($"socket:[{fields[6]}]");
            }
        }

        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (new FileInfo(Path.Combine(dir, "fd", "0")).LinkTarget is { } target && inodes.Contains(target))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A process that exited meanwhile, or one we may not inspect.
            }
        }

        return pids;
    }
}
