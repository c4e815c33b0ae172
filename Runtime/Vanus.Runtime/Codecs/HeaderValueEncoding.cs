using System.Text;

namespace Vanus.Runtime.Codecs;

/// <summary>
/// The percent-encoding of CloudEvents HTTP header values (HTTP protocol binding 3.1.3.2): UTF-8 bytes for space,
/// double quote, percent and anything outside printable ASCII are written as %XX, and read back strictly.
/// </summary>
public static class HeaderValueEncoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes a value for a <c>ce-</c> header.</summary>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!NeedsEncoding(value))
        {
            return value;
        }

        var bytes = StrictUtf8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is > 0x20 and < 0x7F and not (byte)'"' and not (byte)'%')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(HexUpper(b >> 4)).Append(HexUpper(b & 0xF));
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Decodes a <c>ce-</c> header value: percent-escapes (as the HTTP binding says to send) and raw UTF-8 bytes (as some
    /// SDKs send, read by the server as Latin-1 characters, one per byte) both become text; fails on a malformed escape, on
    /// bytes that are not UTF-8, and on a character that cannot be a byte.
    /// </summary>
    public static bool TryDecode(string value, out string decoded, out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        decoded = value;
        error = null;
        if (value.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0 && value.IndexOf('%') < 0)
        {
            return true;
        }

        var bytes = new byte[value.Length];
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !TryHex(value[i + 1], out var hi) || !TryHex(value[i + 2], out var lo))
                {
                    error = $"has a malformed percent-escape at position {i}";
                    return false;
                }

                bytes[n++] = (byte)((hi << 4) | lo);
                i += 2;
            }
            else if (c > 0xFF)
            {
                error = $"contains U+{(int)c:X4} at position {i}, which is not a byte: send UTF-8 bytes or percent-encode them";
                return false;
            }
            else
            {
                bytes[n++] = (byte)c;
            }
        }

        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, n);
            return true;
        }
        catch (DecoderFallbackException)
        {
            error = "is not valid UTF-8 (after percent-decoding)";
            return false;
        }
    }

    private static bool NeedsEncoding(string value)
    {
        foreach (var c in value)
        {
            if (c is <= ' ' or '"' or '%' or >= '\u007f')
            {
                return true;
            }
        }

        return false;
    }

    private static char HexUpper(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
