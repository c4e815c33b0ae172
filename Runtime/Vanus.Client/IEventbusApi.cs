namespace Vanus.Client;

/// <summary>The eventbuses of the client's namespace.</summary>
public interface IEventbusApi
{
    /// <summary>Creates an eventbus with <paramref name="eventlogs"/> eventlogs (1..64); throws <see cref="VanusApiException"/> (409 <c>already-exists</c>) if it exists.</summary>
    Task<EventbusInfo> CreateAsync(string name, int eventlogs = 1, CancellationToken cancellationToken = default);

    /// <summary>One eventbus with its eventlogs' offsets; throws <see cref="VanusApiException"/> (404 <c>not-found</c>) if there is none of that name.</summary>
    Task<EventbusInfo> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every eventbus of the namespace.</summary>
    Task<IReadOnlyList<EventbusInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes an eventbus; false if there was none of that name.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
}
