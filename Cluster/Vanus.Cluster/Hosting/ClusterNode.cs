using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Pattern;
using Microsoft.Data.Sqlite;
using Vanus.Cluster.Broker;
using Vanus.Cluster.Controller;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Replicas;
using Vanus.Cluster.Schedules;
using Vanus.Cluster.Timers;
using Vanus.Cluster.Triggers;
using Vanus.Operators.Subscriptions;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Hosting;

/// <summary>A running node: the actor system with the eventlog shard region, the controller singleton and the broker.</summary>
internal sealed class ClusterNode : IVanusNode
{
    private readonly ActorSystem _system;
    private readonly Services _services;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Task _loading;
    private readonly FileStream _folderLock;
    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;
    private readonly int _timerEventlogs;
    private readonly TaskCompletionSource _removed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _stop;

    private ClusterNode(ActorSystem system, Services services, string address, Task memberUp, FileStream folderLock, HttpClient http, NodeOptions options)
    {
        _http = http;
        _system = system;
        _services = services;
        _folderLock = folderLock;
        (_requestTimeout, _timerEventlogs) = (options.RequestTimeout, options.TimerEventlogs);
        ClusterAddress = address;
        _loading = LoadAsync(memberUp);

        // Removed from the cluster while running (not by StopAsync): the node is of no use until started again.
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.RegisterOnMemberRemoved(() =>
        {
            if (!_stopping.IsCancellationRequested)
            {
                _removed.TrySetResult();
            }
        });
        system.ActorOf(Props.Create(() => new QuarantineWatch(_removed)), "quarantine-watch");
    }

    public IEventbusBroker Broker => _services.Broker;

    public ISubscriptionBroker Subscriptions => _services.SubscriptionBroker;

    public IScheduleBroker Schedules => _services.ScheduleBroker;

    public ITokenBroker Tokens => _services.TokenBroker;

    public ITimerService Timers => _services.TimerBoard;

    public string ClusterAddress { get; }

    public Task Removed => _removed.Task;

    public static async Task<IVanusNode> StartAsync(NodeOptions options, CancellationToken cancellationToken)
    {
        var seeds = options.SeedAddresses();
        var data = Path.GetFullPath(options.DataDirectory);
        var eventlogRoot = Path.Combine(data, "eventlogs");
        Directory.CreateDirectory(eventlogRoot);
        var folderLock = LockFolder(data);
        ActorSystem? system = null;
        try
        {
            options = options with { Name = NodeNames.Resolve(options, data) };
            var catalog = Path.Combine(data, "catalog.db");
            await PrepareCatalogAsync(catalog, cancellationToken).ConfigureAwait(false);
            var setup = BootstrapSetup.Create().WithConfig(NodeConfig.Build(options, catalog));
            var setups = new List<Setup> { setup };
            if (options.LoggerFactory is { } loggerFactory)
            {
                setups.Add(new LoggerFactorySetup(loggerFactory));
            }

            if (options.ClusterCertificate is { } certificate)
            {
                // Mutual TLS pinned to the one cluster certificate: each side presents it and accepts only it.
                setups.Add(new Akka.Remote.Transport.DotNetty.DotNettySslSetup(
                    certificate,
                    suppressValidation: false,
                    requireMutualAuthentication: true,
                    validateCertificateHostname: false,
                    customValidator: Akka.Remote.Transport.DotNetty.CertificateValidation.PinnedCertificate(certificate.Thumbprint)));
            }

            system = ActorSystem.Create(NodeConfig.SystemName, ActorSystemSetup.Create([.. setups]));
            var cluster = Akka.Cluster.Cluster.Get(system);
            var memberUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cluster.RegisterOnMemberUp(() => memberUp.TrySetResult());

            // Built first and handed to whatever needs them: the node's copy of the catalog, admission for appends, and
            // the one path to the eventlogs, so no component is bound late.
            var catalogCache = new CatalogCache();
            var gate = new AppendGate(options.MaxPendingBytes);
            var settings = EventlogSettings.From(options, eventlogRoot);
            var sharding = ClusterSharding.Get(system);
            var shardingSettings = ClusterShardingSettings.Create(system);
            var eventlogShards = await sharding.StartAsync(
                EventlogId.TypeName,
                entityId => EventlogActor.Props(entityId, settings),
                shardingSettings,
                new EntityMessageExtractor(),
                sharding.DefaultShardAllocationStrategy(shardingSettings),
                StopEventlog.Instance).ConfigureAwait(false);

            // Replicated eventlogs live in the node's replica manager; the router in front of both is every component's
            // one path to eventlogs, so no one needs to know which kind a bus has or where its leader is.
            // With three or more seeds the catalog lives on __meta, replicated on the first three: they are its replicas
            // by position (seed:0..2), so they are known before any node has joined.
            var metaSeeds = seeds.Count >= 3 ? seeds.Take(3).ToList() : [];
            var seedIndex = metaSeeds.FindIndex(a => a.Host == options.ClusterHost && a.Port == options.ClusterPort);
            Address? NodeOf(string name) => Meta.MetaLog.SeedIndexOf(name) is { } seed && seed < metaSeeds.Count
                ? metaSeeds[seed]
                : NodeNames.AddressOf(cluster, name);
            var replicaHost = new ReplicaHost(
                options.Name!,
                settings,
                name => NodeOf(name) is { } address ? system.ActorSelection(new RootActorPath(address) / "user" / ReplicaManager.ActorName) : null,
                elected =>
                {
                    foreach (var member in NodeNames.Reachable(cluster))
                    {
                        system.ActorSelection(new RootActorPath(member.Address) / "user" / EventlogRouter.ActorName).Tell(elected);
                    }
                })
            {
                NodeOf = NodeOf,
                SeedName = seedIndex >= 0 ? Meta.MetaLog.SeedName(seedIndex) : null,
                MetaEnabled = metaSeeds.Count == 3,
                LeadershipChanged = (entity, epoch) =>
                {
                    if (entity == Meta.MetaLog.EntityId)
                    {
                        system.ActorSelection("/user/" + ControllerHost.ActorName).Tell(new MetaLeadership(epoch));
                    }
                },
            };
            var replicaManager = system.ActorOf(ReplicaManager.Props(replicaHost, catalogCache), ReplicaManager.ActorName);
            var eventlogs = system.ActorOf(
                EventlogRouter.Props(eventlogShards, catalogCache, replicaHost, replicaManager, options.RequestTimeout),
                EventlogRouter.ActorName);

            var appender = new EventlogAppender(eventlogs, catalogCache, gate, options.RequestTimeout);
            var http = Sinks.CreateHttpClient(options.Outbound);
            var triggerSettings = new TriggerSettings(eventlogs, http, options.Time, options.RequestTimeout) { ReadAheadBytes = options.TriggerReadAheadBytes };
            var triggers = await sharding.StartAsync(
                TriggerId.TypeName,
                entityId => TriggerActor.Props(entityId, triggerSettings),
                shardingSettings,
                new EntityMessageExtractor(),
                sharding.DefaultShardAllocationStrategy(shardingSettings),
                StopTrigger.Instance).ConfigureAwait(false);

            var scheduleSettings = new ScheduleSettings(appender, options.Time);
            var schedules = await sharding.StartAsync(
                ScheduleIds.TypeName,
                entityId => ScheduleActor.Props(entityId, scheduleSettings),
                shardingSettings,
                new EntityMessageExtractor(),
                sharding.DefaultShardAllocationStrategy(shardingSettings),
                StopSchedule.Instance).ConfigureAwait(false);

            // A controller that stops (a journal write failed, say) is started again after a backoff: the singleton
            // manager itself would leave the cluster without one.
            var controllerProps = BackoffSupervisor.Props(
                Backoff.OnStop(
                        ControllerActor.Props(eventlogs, triggers, schedules, options.Time, options.RequestTimeout, replicatedCatalog: metaSeeds.Count == 3),
                        "catalog",
                        TimeSpan.FromMilliseconds(200),
                        TimeSpan.FromSeconds(10),
                        0.2,
                        maxNrOfRetries: -1)
                    .WithFinalStopMessage(m => m is StopController)
                    .WithReplyWhileStopped(new Refusal(BrokerErrorKind.Unavailable, "the controller is restarting; retry shortly", null)));
            // With __meta the controller runs on the node that leads it and fails over with it (ADR 0010); without, it is
            // a cluster singleton on the oldest node, on that node's own journal.
            IActorRef controller;
            ControllerLocation? controllerLocation = null;
            if (metaSeeds.Count == 3)
            {
                controllerLocation = new ControllerLocation();
                system.ActorOf(ControllerHost.Props(controllerProps, options.Time), ControllerHost.ActorName);
                controller = system.ActorOf(
                    ControllerProxy.Props(eventlogs, name => Meta.MetaLog.SeedIndexOf(name) is { } seed ? metaSeeds[seed] : null, controllerLocation, options.RequestTimeout),
                    "controller-proxy");
            }
            else
            {
                system.ActorOf(
                    ClusterSingletonManager.Props(controllerProps, StopController.Instance, ClusterSingletonManagerSettings.Create(system)),
                    ControllerHost.ActorName);
                controller = system.ActorOf(
                    ClusterSingletonProxy.Props("/user/" + ControllerHost.ActorName, ClusterSingletonProxySettings.Create(system)),
                    "controller-proxy");
            }

            system.ActorOf(CatalogSubscriber.Props(catalogCache, controller), "catalog-subscriber");

            var board = new TimerBoard();
            board.Expect(options.TimerEventlogs);
            var timerSettings = new TimerSettings(eventlogs, new TimerTargets(appender), board, options.Time, options.RequestTimeout)
            {
                Horizon = options.TimerHorizon,
                FarWindow = options.TimerHorizon / 3,
            };
            var timers = await sharding.StartAsync(
                TimerIds.TypeName,
                entityId => TimerActor.Props(entityId, timerSettings),
                shardingSettings,
                new EntityMessageExtractor(),
                sharding.DefaultShardAllocationStrategy(shardingSettings),
                StopTimers.Instance).ConfigureAwait(false);

            if (seeds.Count == 0)
            {
                cluster.Join(cluster.SelfAddress);
            }
            else
            {
                cluster.JoinSeedNodes(seeds);
            }

            var services = new Services(
                catalogCache,
                gate,
                controller,
                eventlogs,
                triggers,
                schedules,
                timers,
                board,
                new EventbusBroker(controller, appender, new TimerIntake(appender, options.TimerEventlogs, options.Time), new ClusterView(cluster, controllerLocation), options.MaxEventbuses, new DiskSpace(options.DataDirectory, options.SegmentSize)),
                new SubscriptionBroker(controller, triggers, appender, options.MaxSubscriptions),
                new ScheduleBroker(controller, schedules, appender, options.MaxSchedules),
                new TokenBroker(controller, appender));
            return new ClusterNode(system, services, cluster.SelfAddress.ToString(), memberUp.Task, folderLock, http, options);
        }
        catch
        {
            if (system is not null)
            {
                await system.Terminate().ConfigureAwait(false);
            }

            await folderLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken = default) =>
        await _services.Catalog.Loaded.WaitAsync(cancellationToken).ConfigureAwait(false);

    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _stop ??= StopCoreAsync();
        }

        return _stop.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task LoadAsync(Task memberUp)
    {
        try
        {
            await memberUp.WaitAsync(_stopping.Token).ConfigureAwait(false);
            await CreateTimerLogsAsync().ConfigureAwait(false);
            await _services.Catalog.LoadAsync(_services.Controller, _requestTimeout, _stopping.Token).ConfigureAwait(false);

            // Timer actors fire into buses the broker routes to, so they start once it has the catalog; woken again every
            // few seconds, as one that stopped (a journal write failed, say) is started by the next message.
            while (!_stopping.IsCancellationRequested)
            {
                for (var i = 0; i < _timerEventlogs; i++)
                {
                    _services.TimerRegion.Tell(new WakeTimers(TimerIds.EntityId(i)));
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The node is stopping, after it was ready: nothing to abandon.
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            _services.Catalog.Abandon(new InvalidOperationException("the node stopped before it was ready"));
        }
#pragma warning disable CA1031 // whatever failed, the node must say so instead of waiting forever to become ready
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _services.Catalog.Abandon(new InvalidOperationException($"the node could not load its catalog: {ex.Message}", ex));
        }
    }

    /// <summary>Makes sure every timer eventlog exists before the node takes appends: a held event is stored in one at once.</summary>
    private async Task CreateTimerLogsAsync()
    {
        for (var i = 0; i < _timerEventlogs; i++)
        {
            while (true)
            {
                object reply;
                try
                {
                    reply = await _services.EventlogRegion.Ask<object>(new CreateEventlog(TimerIds.EntityId(i), TimerIds.LogConfig(i)), _requestTimeout, _stopping.Token).ConfigureAwait(false);
                }
                catch (AskTimeoutException ex)
                {
                    reply = ex;
                }

                if (reply is EventlogAck)
                {
                    break;
                }

                // A shard still starting: asked again shortly, as the controller's own creations are.
                await Task.Delay(TimeSpan.FromMilliseconds(200), _stopping.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task StopCoreAsync()
    {
        if (_removed.Task.IsCompleted || _system.WhenTerminated.IsCompleted)
        {
            // Removed from the cluster, the node's actor system runs (or ran) its coordinated shutdown, which closes the
            // logs: there is nothing left to stop gracefully, and asking a system on its way down would only time out.
            // Appends in flight wait on a cluster the node is no longer in: they get 2 s, not their 30.
            await Task.WhenAny(_services.Gate.StopAsync(), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _loading.ConfigureAwait(false);
            _ = CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterDowningReason.Instance);
            if (await Task.WhenAny(_system.WhenTerminated, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false) != _system.WhenTerminated)
            {
                await _system.Terminate().ConfigureAwait(false);
            }

            await ReleaseAsync().ConfigureAwait(false);
            return;
        }

        // Schedules stop before appends are refused: an occurrence being emitted finishes, so a clean stop leaves none in doubt.
        try
        {
            await _services.ScheduleRegion.GracefulStop(TimeSpan.FromSeconds(30), GracefulShutdown.Instance).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TaskCanceledException or AskTimeoutException)
        {
            // Not all handed off in time: an emission cut short is settled by the in-doubt check at the next start.
        }

        await _services.Gate.StopAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loading.ConfigureAwait(false);

        // Triggers go first: each persists its progress and stops while the eventlogs it reads and dead-letters into
        // are still there; stopped together, a trigger would keep asking for eventlogs whose shards are gone.
        try
        {
            await Task.WhenAll(
                _services.TriggerRegion.GracefulStop(TimeSpan.FromSeconds(30), GracefulShutdown.Instance),
                _services.TimerRegion.GracefulStop(TimeSpan.FromSeconds(30), GracefulShutdown.Instance)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TaskCanceledException or AskTimeoutException)
        {
            // Not all handed off in time: coordinated shutdown below stops the rest.
        }

        // Once the loggers stop, Akka prints what remoting says on its way down straight to stdout: at info those would be
        // plain lines in the middle of a JSON log.
        _system.EventStream.SetLogLevel(Akka.Event.LogLevel.WarningLevel);

        // Coordinated shutdown hands every shard off (each eventlog finishes its work and closes its log), leaves the
        // cluster and terminates the actor system.
        await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
        await ReleaseAsync().ConfigureAwait(false);
    }

    private async Task ReleaseAsync()
    {
        await _system.WhenTerminated.ConfigureAwait(false);

        // Pooled connections keep catalog.db open; a node restarted in this process, or a test deleting the folder, needs it closed.
        SqliteConnection.ClearAllPools();
        _http.Dispose();
        await _folderLock.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Tells the node it was removed when a peer quarantined it: it woke from a pause after the others downed it.</summary>
    private sealed class QuarantineWatch : ReceiveActor
    {
        public QuarantineWatch(TaskCompletionSource removed)
        {
            Receive<Akka.Remote.ThisActorSystemQuarantinedEvent>(_ => removed.TrySetResult());
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(Akka.Remote.ThisActorSystemQuarantinedEvent));
    }

    /// <summary>Holds <c>node.lock</c> in the data folder for the node's life: two nodes on one folder would share a journal and every log.</summary>
    private static FileStream LockFolder(string data)
    {
        var path = Path.Combine(data, "node.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"the data folder {data} is in use by another node (it holds {path})", ex);
        }
    }

    /// <summary>Creates the catalog database in WAL mode, so the journal's writes and the snapshot store's reads do not block each other.</summary>
    private static async Task PrepareCatalogAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(NodeConfig.CatalogConnectionString(path));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the node built at start: the catalog copy, the append gate, the regions and singleton proxy, and the brokers over them.</summary>
    private sealed record Services(
        CatalogCache Catalog,
        AppendGate Gate,
        IActorRef Controller,
        IActorRef EventlogRegion,
        IActorRef TriggerRegion,
        IActorRef ScheduleRegion,
        IActorRef TimerRegion,
        TimerBoard TimerBoard,
        EventbusBroker Broker,
        SubscriptionBroker SubscriptionBroker,
        ScheduleBroker ScheduleBroker,
        TokenBroker TokenBroker);
}
