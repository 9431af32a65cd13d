namespace FcgiActors.Cli.Tests;

public sealed class ReferenceDocTests
{
    [Fact]
    public void EveryReferenceKey_IsDocumentedInConfigurationMd()
    {
        var root = CliRunner.RepoRoot();
        var keys = ReferenceDoc.Keys(File.ReadAllText(Path.Combine(root, "hocon", "reference.conf")));
        var doc = File.ReadAllText(Path.Combine(root, "docs", "configuration.md"));
        var missing = keys.Where(k => !doc.Contains("`" + k.Path + "`", StringComparison.Ordinal)).Select(k => k.Path).ToList();
        Assert.True(missing.Count == 0,
            "keys of hocon/reference.conf missing from docs/configuration.md (run: dotnet run --project src/FcgiActors.Cli -- config --update-doc docs/configuration.md):\n  "
            + string.Join("\n  ", missing));
    }

    [Fact]
    public void EveryReferenceKey_HasADescription()
    {
        var keys = ReferenceDoc.Keys(File.ReadAllText(Path.Combine(CliRunner.RepoRoot(), "hocon", "reference.conf")));
        var undocumented = keys.Where(k => k.Description.Length == 0).Select(k => k.Path).ToList();
        Assert.True(undocumented.Count == 0, "keys without a comment in reference.conf: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void Keys_TakeDefaultAndTheCommentLinesRightAbove()
    {
        const string text = "a {\n  # Not this.\n\n  # First line\n  # second line.\n  timeout = 5s\n  list = [1, 2] # trailing\n}\n";
        var keys = ReferenceDoc.Keys(text);
        Assert.Equal(new ReferenceDoc.Key("a.timeout", "5s", "First line second line."), keys[0]);
        Assert.Equal(new ReferenceDoc.Key("a.list", "[1,2]", "trailing"), keys[1]);
    }

    [Fact]
    public void Keys_WithoutOwnComment_ShareTheCommentOfTheKeyRightAbove()
    {
        const string text = "# Backoff bounds (duration).\nmin = 1s\nmax = 10s\n\nother = 1\n";
        var keys = ReferenceDoc.Keys(text);
        Assert.Equal("Backoff bounds (duration).", keys[1].Description);
        Assert.Equal("", keys[2].Description);
    }

    [Fact]
    public void Update_ReplacesOnlyTheGeneratedSection()
    {
        var doc = "intro\n" + ReferenceDoc.BeginMarker + "\nold\n" + ReferenceDoc.EndMarker + "\noutro\n";
        var updated = ReferenceDoc.Update(doc, "x.y = 1 # c\n");
        Assert.StartsWith("intro\n" + ReferenceDoc.BeginMarker, updated, StringComparison.Ordinal);
        Assert.EndsWith(ReferenceDoc.EndMarker + "\noutro\n", updated, StringComparison.Ordinal);
        Assert.Contains("| `x.y` | `1` |", updated, StringComparison.Ordinal);
        Assert.DoesNotContain("old", updated, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferenceDocOption_PrintsTheTables()
    {
        var (code, output, _) = await CliRunner.RunAsync("config", "--reference-doc");
        Assert.Equal(0, code);
        Assert.Contains("| `fcgi.logging.level` | `warning` |", output, StringComparison.Ordinal);
    }
}
