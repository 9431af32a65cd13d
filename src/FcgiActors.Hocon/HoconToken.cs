namespace FcgiActors.Hocon;

internal enum HoconTokenKind
{
    End,
    Newline,
    Whitespace,
    Comma,
    Colon,
    Equals,
    PlusEquals,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    /// <summary>A quoted or triple-quoted string; Text is the decoded value.</summary>
    Quoted,
    /// <summary>Unquoted text (numbers, true/false/null included); Text is as written.</summary>
    Unquoted,
    /// <summary>${path} or ${?path}; Path holds the elements.</summary>
    Substitution,
}

/// <summary>One lexical token of HOCON.md "Syntax".</summary>
internal sealed record HoconToken(HoconTokenKind Kind, string Text, HoconPosition Position)
{
    public IReadOnlyList<string> Path { get; init; } = [];

    public bool Optional { get; init; }

    public override string ToString() => $"{Kind} '{Text}' at {Position}";
}
