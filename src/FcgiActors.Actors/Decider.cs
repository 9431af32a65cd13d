namespace FcgiActors.Actors;

/// <summary>Builds deciders as data: an ordered table of exception types and directives.</summary>
public sealed class Decider
{
    private Decider() { }

    /// <summary>
    /// The first rule whose type is assignable from the exception wins; otherwise
    /// <paramref name="defaultDirective"/>.
    /// </summary>
    /// <example><c>Decider.From(Directive.Restart, (typeof(IOException), Directive.Stop))</c></example>
    public static Func<Exception, Directive> From(Directive defaultDirective, params (Type exceptionType, Directive directive)[] rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var table = rules.ToArray();
        return exception =>
        {
            foreach (var (type, directive) in table)
            {
                if (type.IsInstanceOfType(exception))
                {
                    return directive;
                }
            }

            return defaultDirective;
        };
    }
}
