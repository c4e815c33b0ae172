using Vanus.Cli.Bench;

namespace Vanus.Cli.Tests;

public sealed class DeliveryReceiverTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private DeliveryReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await DeliveryReceiver.StartAsync("run1", 3, CancellationToken.None);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _receiver.DisposeAsync();
    }

    private async Task<int> PostAsync(string? id)
    {
        using var content = new ByteArrayContent("data"u8.ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, _receiver.Sink) { Content = content };
        if (id is not null)
        {
            request.Headers.TryAddWithoutValidation("ce-id", id);
        }

        using var response = await _http.SendAsync(request);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task First_arrivals_repeats_and_other_events_are_told_apart()
    {
        Assert.StartsWith("http://127.0.0.1:", _receiver.Sink.AbsoluteUri, StringComparison.Ordinal);

        int[] statuses = [await PostAsync("run1-0"), await PostAsync("run1-0"), await PostAsync("run1-1"), await PostAsync("run2-2"), await PostAsync("run1-3"), await PostAsync("run1-x"), await PostAsync(null)];

        Assert.All(statuses, s => Assert.Equal(204, s));
        Assert.Equal(2, _receiver.Distinct);
        Assert.Equal(1, _receiver.Duplicates);
        Assert.Equal(4, _receiver.Foreign);
        Assert.Equal([2, 1, 0], new[] { 0, 1, 2 }.Select(i => _receiver.CopiesOf(i)));
        Assert.NotEqual(0, _receiver.ArrivalOf(0));
        Assert.Equal(0, _receiver.ArrivalOf(2));
    }

    [Fact]
    public async Task A_wait_already_met_returns_at_once_and_a_pending_wait_completes_on_the_arrival_it_needs()
    {
        await PostAsync("run1-0");
        Assert.True(await _receiver.WaitForAsync(1, TimeSpan.FromMinutes(1), CancellationToken.None));

        var waiting = _receiver.WaitForAsync(2, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        await PostAsync("run1-2");

        Assert.True(await waiting);
    }
}
