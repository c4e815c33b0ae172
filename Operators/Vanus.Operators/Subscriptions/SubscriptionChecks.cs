using Vanus.Operators.Delivery;
using Vanus.Operators.Filters;
using Vanus.Operators.Transform;
using Vanus.Runtime.Broker;

namespace Vanus.Operators.Subscriptions;

/// <summary>Checks a subscription document in full before it is stored: a refusal names the field and the reason.</summary>
public static class SubscriptionChecks
{
    /// <summary>Throws a <see cref="BrokerException"/> of kind <see cref="BrokerErrorKind.Invalid"/> naming the first field of <paramref name="spec"/> that cannot be used.</summary>
    public static void Check(SubscriptionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (EventbusNames.Check(spec.Name ?? "") is { } nameProblem)
        {
            throw Invalid($"subscription name '{spec.Name}' {nameProblem}", "name");
        }

        if (EventbusNames.Check(spec.Eventbus ?? "") is { } busProblem)
        {
            throw Invalid($"eventbus name '{spec.Eventbus}' {busProblem}", "eventbus");
        }

        switch (spec.Protocol)
        {
            case SinkProtocol.Http:
                if (spec.Sink is null)
                {
                    throw Invalid("an http subscription needs a sink URL", SubscriptionFields.Sink);
                }

                if (!Uri.TryCreate(spec.Sink, UriKind.Absolute, out var sink) || (sink.Scheme != Uri.UriSchemeHttp && sink.Scheme != Uri.UriSchemeHttps))
                {
                    throw Invalid($"'{spec.Sink}' is not an absolute http or https URL", SubscriptionFields.Sink);
                }

                break;
            case SinkProtocol.Pull:
                if (spec.Sink is not null)
                {
                    throw Invalid("a pull subscription has no sink: consumers pull its events", SubscriptionFields.Sink);
                }

                break;
            default:
                throw Invalid($"protocol {(int)spec.Protocol} is unknown; use http or pull", SubscriptionFields.Protocol);
        }

        if (!Enum.IsDefined(spec.Mode))
        {
            throw Invalid($"mode {(int)spec.Mode} is unknown; use binary or structured", SubscriptionFields.Mode);
        }

        if (spec.Filters is { } filters)
        {
            try
            {
                SubscriptionFilter.Parse(filters);
            }
            catch (FilterDefinitionException ex)
            {
                throw Invalid(ex.Message, string.IsNullOrEmpty(ex.Path) ? SubscriptionFields.Filters : ex.Path);
            }
        }

        if (spec.Transformer is { } transformer)
        {
            try
            {
                Transformer.Parse(transformer);
            }
            catch (TransformerDefinitionException ex)
            {
                throw Invalid(ex.Message, ex.PipelineIndex is { } index ? $"transformer.pipeline[{index}]" : "transformer." + ex.Location);
            }
        }

        if (spec.Delay < TimeSpan.Zero)
        {
            throw Invalid("the delay must not be negative", SubscriptionFields.Delay);
        }

        if (spec.Delay > SubscriptionSpec.MaxDelay)
        {
            throw Invalid($"the delay must be at most {Units.FormatDuration(SubscriptionSpec.MaxDelay)} (got {Units.FormatDuration(spec.Delay)})", SubscriptionFields.Delay);
        }

        if (spec.Delivery is null)
        {
            throw Invalid("delivery must be given (defaults otherwise)", SubscriptionFields.Delivery);
        }

        if (spec.Delivery.Check() is { } problem)
        {
            throw Invalid($"delivery.{problem.Field} {problem.Reason}", "delivery." + problem.Field);
        }

        if (spec.From.Kind == SubscriptionStartKind.Time && spec.From.Time is null)
        {
            throw Invalid("a start at a time needs the time", SubscriptionFields.From);
        }

        // Delivery's own rule, so a document accepted here can always be delivered (a header it refuses would break the trigger).
        if (HttpDelivery.CheckHeaders(spec.SinkHeaders) is { } header)
        {
            throw Invalid($"sink header '{header.Header}' {header.Reason}", "sinkHeaders." + header.Header);
        }
    }

    private static BrokerException Invalid(string message, string field) => new(BrokerErrorKind.Invalid, message, field);
}
