using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using CloudNative.CloudEvents;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Benchmarks;

/// <summary>The codecs on an event with the five common attributes and 263 bytes of JSON data, beside constructing an SDK CloudEvent.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("{\"order\":\"" + new string('x', 245) + "\",\"n\":1}"); // 263 bytes
    private static readonly DateTimeOffset Time = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private Event _event = null!;
    private byte[] _json = null!;
    private byte[] _binary = null!;

    [GlobalSetup]
    public void Setup()
    {
        _event = new Event("a7b1c2d3-0001", "/shop/orders", "order.created") { Time = Time, Data = Data };
        _json = JsonEventFormat.Encode(_event);
        _binary = BinaryEventCodec.Encode(_event);
    }

    [Benchmark(Baseline = true)]
    public CloudEvent ConstructSdkCloudEvent() => new(CloudEventsSpecVersion.V1_0)
    {
        Id = "a7b1c2d3-0001",
        Source = new Uri("/shop/orders", UriKind.Relative),
        Type = "order.created",
        Time = Time,
        Data = Data,
    };

    [Benchmark]
    public Event StructuredJsonDecode() => JsonEventFormat.Decode(_json);

    [Benchmark]
    public int BinaryEncode()
    {
        _buffer.ResetWrittenCount();
        BinaryEventCodec.Encode(_event, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public Event BinaryDecode() => BinaryEventCodec.Decode(_binary);
}
