namespace Vanus.Cli.Output;

/// <summary>How a client verb prints what the node answered.</summary>
internal enum OutputFormat
{
    /// <summary>Aligned columns for people (the default).</summary>
    Table,

    /// <summary>The node's JSON exactly as it sent it, for scripts.</summary>
    Json,
}
