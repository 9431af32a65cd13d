// The interop tests drive Linux peers (nginx, cgi-fcgi, spawn-fcgi) and Unix socket modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
