namespace Vanus.Client.Http;

/// <summary>The eventbus calls of the management API.</summary>
internal sealed class EventbusApi(ApiConnection connection) : IEventbusApi
{
    /// <summary>The most eventlogs an eventbus may have (DESIGN §2).</summary>
    private const int MaxEventlogs = 64;

    public async Task<EventbusInfo> CreateAsync(string name, int eventlogs = 1, CancellationToken cancellationToken = default)
    {
        Names.Check(name, nameof(name));
        ArgumentOutOfRangeException.ThrowIfLessThan(eventlogs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(eventlogs, MaxEventlogs);
        using var document = Content.Json(DocumentWriter.Eventbus(name, eventlogs));
        var answer = await connection.CallAsync(HttpMethod.Post, connection.Management("eventbuses"), document, cancellationToken).ConfigureAwait(false);
        return AnswerReader.Read(answer, e => AnswerReader.Eventbus(e, ""));
    }

    public async Task<EventbusInfo> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        Names.Check(name, nameof(name));
        var answer = await connection.CallAsync(HttpMethod.Get, connection.Management("eventbuses", name), null, cancellationToken).ConfigureAwait(false);
        return AnswerReader.Read(answer, e => AnswerReader.Eventbus(e, ""));
    }

    public async Task<IReadOnlyList<EventbusInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var answer = await connection.CallAsync(HttpMethod.Get, connection.Management("eventbuses"), null, cancellationToken).ConfigureAwait(false);
        return AnswerReader.Read(answer, AnswerReader.Eventbuses);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        Names.Check(name, nameof(name));
        var answer = await connection.SendAsync(HttpMethod.Delete, connection.Management("eventbuses", name), null, cancellationToken).ConfigureAwait(false);
        return answer.IsSuccess || (answer.Status == 404 ? false : throw answer.ToException());
    }
}
