namespace Nmsg.Text;

/// <summary>Options shared by the presentation and JSON formats.</summary>
public sealed record NmsgTextOptions
{
    /// <summary>The defaults: "\n" endline, no aliases, no overrides.</summary>
    public static NmsgTextOptions Default { get; } = new();

    /// <summary>Presentation endline (nmsgtool <c>-e</c>): after the header and after each field line.</summary>
    public string Endline
    {
        get => _endline;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _endline = value;
            EndlineUtf8 = System.Text.Encoding.UTF8.GetBytes(value);
        }
    }

    private readonly string _endline = "\n";

    internal byte[] EndlineUtf8 { get; private init; } = [(byte)'\n'];

    /// <summary>Operator and group alias names.</summary>
    public NmsgAliases Aliases { get; init; } = NmsgAliases.None;

    /// <summary>Printed instead of each payload's source when non-zero (<c>--setsource</c>).</summary>
    public uint SetSource { get; init; }

    /// <summary>Printed instead of each payload's operator when non-zero (<c>--setoperator</c>).</summary>
    public uint SetOperator { get; init; }

    /// <summary>Printed instead of each payload's group when non-zero (<c>--setgroup</c>).</summary>
    public uint SetGroup { get; init; }

    /// <summary>The module registry to format with.</summary>
    public Modules.NmsgModules Modules { get; init; } = Nmsg.Modules.NmsgModules.Default;
}
