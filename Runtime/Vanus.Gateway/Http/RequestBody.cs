using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Vanus.Gateway.Ingest;

namespace Vanus.Gateway.Http;

/// <summary>How reading a request body ended.</summary>
internal enum BodyOutcome
{
    /// <summary>The whole body is in <see cref="RequestBody.Memory"/>.</summary>
    Complete,

    /// <summary>The body passed the limit; reading stopped there.</summary>
    TooLarge,

    /// <summary>Holding more of the body would pass the gateway's buffered-bytes bound.</summary>
    OverBudget,
}

/// <summary>
/// A request body read whole, up to a limit. A body that arrived in one piece is used in place, in the request pipe's own
/// buffer; otherwise it is copied once into a pooled array. <see cref="Release"/> gives either back.
/// </summary>
internal readonly struct RequestBody
{
    private readonly PipeReader? _inPlace;
    private readonly SequencePosition _end;
    private readonly byte[]? _rented;

    private RequestBody(BodyOutcome outcome, long reserved, ReadOnlyMemory<byte> memory, PipeReader? inPlace, SequencePosition end, byte[]? rented)
    {
        (Outcome, Reserved, Memory, _inPlace, _end, _rented) = (outcome, reserved, memory, inPlace, end, rented);
    }

    public BodyOutcome Outcome { get; }

    /// <summary>Bytes reserved with the gate (what was received); the caller releases them.</summary>
    public long Reserved { get; }

    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>
    /// Reads the body of the request of <paramref name="context"/>; more than <paramref name="limit"/> bytes ends as <see cref="BodyOutcome.TooLarge"/>
    /// without reading further. With a gate, every byte is reserved as it arrives, never ahead on the word of Content-Length.
    /// </summary>
    public static async ValueTask<RequestBody> ReadAsync(HttpContext context, long limit, IngestGate? gate, CancellationToken cancellationToken)
    {
        long reserved = 0;
        // The gateway enforces its own limits (and answers them with problem documents), so Kestrel's must not interfere.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        var reader = context.Request.BodyReader;
        var declared = context.Request.ContentLength;
        byte[]? rented = null;
        var written = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var total = written + buffer.Length;
                if (total > limit)
                {
                    reader.AdvanceTo(buffer.End);
                    Return(rented);
                    return new(BodyOutcome.TooLarge, reserved, default, null, default, null);
                }

                if (gate is not null && total > reserved)
                {
                    if (!gate.TryReserve(total - reserved))
                    {
                        reader.AdvanceTo(buffer.End);
                        Return(rented);
                        return new(BodyOutcome.OverBudget, reserved, default, null, default, null);
                    }

                    reserved = total;
                }

                if (result.IsCompleted && rented is null && buffer.IsSingleSegment)
                {
                    // The common small request: decode straight from the pipe's buffer, consumed on Release.
                    return new(BodyOutcome.Complete, reserved, buffer.First, reader, buffer.End, null);
                }

                if (rented is null || rented.Length < total)
                {
                    // Sized by Content-Length only up to 64 KiB past what arrived: a body read in one go is copied once, and a
                    // client that declares 16 MiB and sends little gets little.
                    var ahead = declared is { } d && d > total ? Math.Min(d, total + (64 * 1024)) : 0;
                    var size = Math.Min(limit, Math.Max(Math.Max(total, ahead), Math.Max(16 * 1024, (rented?.Length ?? 0) * 2L)));
                    var grown = ArrayPool<byte>.Shared.Rent((int)size);
                    if (rented is not null)
                    {
                        rented.AsSpan(0, written).CopyTo(grown);
                        ArrayPool<byte>.Shared.Return(rented);
                    }

                    rented = grown;
                }

                buffer.CopyTo(rented.AsSpan(written));
                written = (int)total;
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    return new(BodyOutcome.Complete, reserved, rented.AsMemory(0, written), null, default, rented);
                }
            }
        }
        catch
        {
            Return(rented);
            throw;
        }
    }

    /// <summary>Gives the body's buffer back: consumes it from the request pipe, or returns the pooled array.</summary>
    public void Release()
    {
        _inPlace?.AdvanceTo(_end);
        Return(_rented);
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
