using System.Globalization;
using Vanus.Cli.Client;
using Vanus.Client;

namespace Vanus.Cli.Bench;

/// <summary>Removes the eventbuses and subscriptions a benchmark created on the node it measured.</summary>
internal static class BenchCleanup
{
    /// <summary>Deletes what a run created; a failure is a warning (the figures stand), reported as false.</summary>
    public static async Task<bool> DeleteAsync(TextWriter warnings, string what, Func<Task<ApiAnswer>> delete)
    {
        try
        {
            var reply = await delete().ConfigureAwait(false);
            if (reply.IsSuccess)
            {
                return true;
            }

            await warnings.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"warning: could not delete {what}: the node answered {reply.Status} {reply.Reason}")).ConfigureAwait(false);
        }
        catch (NodeUnreachableException e)
        {
            await warnings.WriteLineAsync($"warning: could not delete {what}: {e.Message}").ConfigureAwait(false);
        }

        return false;
    }
}
