namespace FcgiActors.Proxy.Tests.Diagnostics;

/// <summary>The meter "FcgiActors" is process-wide: tests that read it run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "FcgiActors meter";
}
