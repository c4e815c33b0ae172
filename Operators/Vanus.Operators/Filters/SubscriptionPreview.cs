using Vanus.Operators.Transform;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Filters;

/// <summary>The dry run of a subscription (Vanus's ValidateSubscription): what its filters and transformer would do with one event, without delivering it.</summary>
public static class SubscriptionPreview
{
    /// <summary>Runs the filters (null: none) and, if the event passes, the transformer (null: none) on <paramref name="e"/>; a transform failure is reported, not thrown.</summary>
    public static SubscriptionPreviewResult Validate(SubscriptionFilter? filters, Transformer? transformer, Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (filters is not null && !filters.Matches(e))
        {
            return new SubscriptionPreviewResult(false, [], null);
        }

        if (transformer is null)
        {
            return new SubscriptionPreviewResult(true, [e], null);
        }

        try
        {
            return new SubscriptionPreviewResult(true, transformer.Apply(e), null);
        }
        catch (TransformException ex)
        {
            return new SubscriptionPreviewResult(true, [], new SubscriptionPreviewError(ex.Action, ex.PipelineIndex, ex.Reason, ex.Message));
        }
    }
}

/// <summary>The outcome of a dry run: whether the filters passed, the event(s) the sink would receive, or the transform error.</summary>
/// <param name="FilterPassed">True when the event passes the filters (always true without filters).</param>
/// <param name="Events">What would be delivered: the transformed event(s), the event itself without a transformer, nothing when filtered out or failed.</param>
/// <param name="Error">The transform failure, or null.</param>
public sealed record SubscriptionPreviewResult(bool FilterPassed, IReadOnlyList<Event> Events, SubscriptionPreviewError? Error)
{
    /// <summary>True when the event would be delivered: it passes the filters and transforms without error.</summary>
    public bool Delivered => FilterPassed && Error is null;
}

/// <summary>Why the transformer failed on the previewed event: the action, its place in the pipeline and the reason.</summary>
/// <param name="Action">The failing action in upper case (for example <c>MATH_DIV</c>), or <c>template</c>.</param>
/// <param name="PipelineIndex">The zero-based index of the failing command in <c>pipeline</c>, or null outside it.</param>
/// <param name="Reason">What went wrong, as a sentence fragment.</param>
/// <param name="Message">The full message, as a dead-letter reason would carry it.</param>
public sealed record SubscriptionPreviewError(string Action, int? PipelineIndex, string Reason, string Message);
