using System.Globalization;
using System.Text;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Data.Sqlite;
using Vanus.Cluster.Serialization;

namespace Vanus.Cluster.Hosting;

/// <summary>The HOCON a node runs with, built from its options.</summary>
internal static class NodeConfig
{
    /// <summary>The actor system's name; every node of a cluster must use the same one, and seed addresses name it.</summary>
    public const string SystemName = "vanus";

    public static Config Build(NodeOptions options, string catalogPath)
    {
        var connection = Quote(CatalogConnectionString(catalogPath));
        var serializer = Quote($"{typeof(ClusterMessageSerializer).FullName}, {typeof(ClusterMessageSerializer).Assembly.GetName().Name}");
        var marker = Quote($"{typeof(IClusterMessage).FullName}, {typeof(IClusterMessage).Assembly.GetName().Name}");
        var localOnly = Quote($"{typeof(LocalOnlySerializer).FullName}, {typeof(LocalOnlySerializer).Assembly.GetName().Name}");
        var verification = options.SerializeMessages
            ? $$"""
                akka.actor {
                  serializers.vanus-local-only = {{localOnly}}
                  serialization-bindings {
                    "Akka.Persistence.Sql.Journal.Types.WriteFinished, Akka.Persistence.Sql" = vanus-local-only
                    "Akka.Persistence.Journal.AsyncWriteJournal+Desequenced, Akka.Persistence" = vanus-local-only
                  }
                }
                """
            : "";
        var loggers = Quote($"{typeof(AkkaLogger).FullName}, {typeof(AkkaLogger).Assembly.GetName().Name}");
        // With a logger factory every line goes to it, and its filters decide (the host keeps Akka's own at warnings).
        var logging = options.LoggerFactory is null
            ? "loglevel = WARNING"
            : $"loglevel = INFO\n  loggers = [{loggers}]";
        var hocon = $$"""
            {{verification}}
            akka {
              {{logging}}
              stdout-loglevel = WARNING
              actor {
                provider = cluster
                serialize-messages = {{(options.SerializeMessages ? "on" : "off")}}
                serializers {
                  vanus-msgpack = {{serializer}}
                }
                serialization-bindings {
                  {{marker}} = vanus-msgpack
                }
              }
              remote.dot-netty.tcp {
                hostname = {{Quote(options.ClusterHost)}}
                port = {{options.ClusterPort.ToString(CultureInfo.InvariantCulture)}}
                # A batch append to an eventlog on another node travels in one frame.
                maximum-frame-size = 33554432b
                enable-ssl = {{(options.ClusterCertificate is null ? "false" : "true")}}
              }
              cluster {
                roles = [{{string.Join(", ", NodeNames.RolesOf(options).Select(Quote))}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver.active-strategy = keep-majority
                # A dead node is downed (its sharded entities move) 5 s after the membership settles, not Akka's 20 s;
                # replicated eventlogs do not wait for it at all: their replicas elect among themselves.
                split-brain-resolver.stable-after = 5s
                sharding {
                  state-store-mode = ddata
                  remember-entities = off
                  passivate-idle-entity-after = off
                  distributed-data.durable.keys = []
                  retry-interval = 200ms
                  # An eventlog's segments live on the node that hosts it, and replicas are not there yet: shards must not
                  # move to a node that merely joined (only a node that leaves hands its shards over).
                  least-shard-allocation-strategy.rebalance-threshold = 1000000
                }
                # A node alone should serve within a second or two of starting, not after several default ticks.
                periodic-tasks-initial-delay = 100ms
                singleton-proxy {
                  singleton-identification-interval = 250ms
                  # In this Akka.NET version the warning's timer fires at once instead of after the period, so it only adds noise;
                  # a node that cannot reach its controller shows as not ready instead.
                  log-singleton-identification-failure = off
                }
              }
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              persistence.journal.{{Meta.MetaLog.PluginId}} {
                class = {{Quote($"{typeof(Meta.MetaJournal).FullName}, {typeof(Meta.MetaJournal).Assembly.GetName().Name}")}}
                plugin-dispatcher = "akka.actor.default-dispatcher"
              }
              persistence.snapshot-store.{{Meta.MetaLog.PluginId}} {
                class = {{Quote($"{typeof(Meta.MetaSnapshotStore).FullName}, {typeof(Meta.MetaSnapshotStore).Assembly.GetName().Name}")}}
                plugin-dispatcher = "akka.actor.default-dispatcher"
              }
              persistence {
                journal {
                  plugin = "akka.persistence.journal.sql"
                  sql {
                    class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                    connection-string = {{connection}}
                    provider-name = "SQLite.MS"
                    auto-initialize = on
                  }
                }
                snapshot-store {
                  plugin = "akka.persistence.snapshot-store.sql"
                  sql {
                    class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                    connection-string = {{connection}}
                    provider-name = "SQLite.MS"
                    auto-initialize = on
                  }
                }
              }
            }
            """;
        // The extensions' defaults are in place from the start, so no binding ever names a serializer not yet loaded.
        return ConfigurationFactory.ParseString(hocon)
            .WithFallback(Persistence.DefaultConfig())
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(DistributedPubSub.DefaultConfig());
    }

    /// <summary>The SQLite connection string of the catalog database; the builder quotes what a path may hold.</summary>
    public static string CatalogConnectionString(string path) => new SqliteConnectionStringBuilder { DataSource = path }.ToString();

    /// <summary>A HOCON quoted string: paths and hosts may hold characters HOCON gives meaning to.</summary>
    private static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }
}
