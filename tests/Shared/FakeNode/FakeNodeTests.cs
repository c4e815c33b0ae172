namespace Vanus.Testing.Fakes;

/// <summary>A test class whose every test gets a fresh <see cref="FakeNode"/>, arranged by <see cref="Arrange"/>.</summary>
public abstract class FakeNodeTests : IAsyncLifetime
{
    /// <summary>The test's node.</summary>
    protected FakeNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await FakeNode.StartAsync();
        Arrange(Node);
    }

    public virtual async Task DisposeAsync() => await Node.DisposeAsync();

    /// <summary>What every test of the class starts from (eventbuses, subscriptions, settings of the node).</summary>
    protected virtual void Arrange(FakeNode node)
    {
    }
}
