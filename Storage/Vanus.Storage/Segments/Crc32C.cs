using System.Buffers.Binary;
using System.Numerics;

namespace Vanus.Storage.Segments;

/// <summary>CRC-32C (Castagnoli) on the processor's CRC instructions where it has them.</summary>
internal static class Crc32C
{
    public const uint Seed = uint.MaxValue;

    /// <summary>Continues <paramref name="crc"/> (start from <see cref="Seed"/>) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        if (data.Length >= 4)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    /// <summary>Finishes a running CRC into the stored value.</summary>
    public static uint Finish(uint crc) => ~crc;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Seed, data));
}
