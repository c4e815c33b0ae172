using Vanus.Client.Http;

namespace Vanus.Client;

/// <summary>Starts a declarative subscription pipeline (DESIGN §3): eventbus → filters → transformer → delay → sink.</summary>
public static class Pipeline
{
    /// <summary>A pipeline that reads <paramref name="eventbus"/>, starting at <paramref name="from"/> (null: the node's default, latest).</summary>
    public static SubscriptionPipeline FromEventBus(string eventbus, StartAt? from = null)
    {
        Names.Check(eventbus, nameof(eventbus));
        return new SubscriptionPipeline(eventbus, from);
    }
}
