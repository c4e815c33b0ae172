namespace Vanus.Cli;

/// <summary>The exit codes of the client verbs; scripts rely on them.</summary>
internal static class ExitCodes
{
    /// <summary>The node did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The node refused (any non-2xx answer; its problem document is on stderr), or answered outside the contract.</summary>
    public const int Refused = 1;

    /// <summary>The command line is wrong; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The node could not be reached (connection refused, unknown host, no answer in time).</summary>
    public const int Unreachable = 3;

    /// <summary><c>vanus node</c>: the cluster removed the node (downed after it was unreachable); it stopped, start it again.</summary>
    public const int Removed = 4;
}
