using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Client.Http;

/// <summary>Publishing through the ingest path: one event in structured mode, several as one JSON batch.</summary>
internal sealed class EventApi(ApiConnection connection) : IEventApi
{
    public async Task<EventPlacement> PublishAsync(string eventbus, Event @event, CancellationToken cancellationToken = default)
    {
        Names.Check(eventbus, nameof(eventbus));
        ArgumentNullException.ThrowIfNull(@event);
        using var body = Content.Bytes(JsonEventFormat.Encode(@event), JsonEventFormat.StructuredMediaType);
        var placements = await SendAsync(eventbus, body, 1, cancellationToken).ConfigureAwait(false);
        return placements[0];
    }

    public async Task<IReadOnlyList<EventPlacement>> PublishAsync(string eventbus, IEnumerable<Event> events, CancellationToken cancellationToken = default)
    {
        Names.Check(eventbus, nameof(eventbus));
        ArgumentNullException.ThrowIfNull(events);
        var list = events.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("Give at least one event to publish.", nameof(events));
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"events[{i}] is null.", nameof(events));
            }
        }

        using var body = Content.Bytes(JsonEventFormat.EncodeBatch(list), JsonEventFormat.BatchMediaType);
        return await SendAsync(eventbus, body, list.Count, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<EventPlacement>> SendAsync(string eventbus, HttpContent body, int sent, CancellationToken cancellationToken)
    {
        var answer = await connection.CallAsync(HttpMethod.Post, connection.Ingest(eventbus), body, cancellationToken).ConfigureAwait(false);
        var placements = AnswerReader.Read(answer, AnswerReader.Placements);
        return placements.Count == sent ? placements : throw answer.Unexpected($"it lists {placements.Count} stored events for the {sent} sent");
    }
}
