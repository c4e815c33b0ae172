namespace Vanus.Cluster.Serialization;

/// <summary>
/// Marks every actor message and persisted event of the node: HOCON binds this interface to
/// <see cref="ClusterMessageSerializer"/>, so none of them falls back to Akka's default JSON serializer.
/// </summary>
internal interface IClusterMessage;
