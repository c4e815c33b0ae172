using System.Net.Sockets;
using System.Text;

namespace Vanus.Node.Tests;

/// <summary>
/// HTTP/1.1 written byte by byte over a socket, for what <see cref="HttpClient"/> refuses to send: raw non-ASCII and
/// invalid UTF-8 header values, bodies that are not what their Content-Type says, and uploads that stall.
/// </summary>
public static class RawHttp
{
    /// <summary>A request's head: method, path and headers whose values are bytes as they go on the wire.</summary>
    public static byte[] Head(string method, string path, IEnumerable<(string Name, byte[] Value)> headers, long? contentLength)
    {
        using var head = new MemoryStream();
        void Line(ReadOnlySpan<byte> bytes)
        {
            head.Write(bytes);
            head.Write("\r\n"u8);
        }

        Line(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1"));
        Line("Host: 127.0.0.1"u8);
        Line("Connection: close"u8);
        foreach (var (name, value) in headers)
        {
            Line([.. Encoding.ASCII.GetBytes(name + ": "), .. value]);
        }

        if (contentLength is { } length)
        {
            Line(Encoding.ASCII.GetBytes($"Content-Length: {length}"));
        }

        Line([]);
        return head.ToArray();
    }

    /// <summary>Sends a whole request and reads the whole answer (the connection is closed by the server after it).</summary>
    public static async Task<(int Status, string Body)> SendAsync(Uri endpoint, string method, string path, IEnumerable<(string Name, byte[] Value)> headers, byte[]? body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Host, endpoint.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Head(method, path, headers, body?.Length ?? (method is "POST" or "PUT" ? 0 : null)));
        if (body is { Length: > 0 })
        {
            await stream.WriteAsync(body);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await ReadAnswerAsync(stream, cts.Token);
    }

    /// <summary>Reads one answer to the end of the connection: its status and its body (chunked bodies put together).</summary>
    public static async Task<(int Status, string Body)> ReadAnswerAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        await stream.CopyToAsync(all, cancellationToken);
        var bytes = all.ToArray().AsSpan();
        var split = bytes.IndexOf("\r\n\r\n"u8);
        Assert.True(split > 0, $"no HTTP answer: '{Encoding.UTF8.GetString(bytes)}'");
        var head = Encoding.ASCII.GetString(bytes[..split]);
        var status = int.Parse(head.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = bytes[(split + 4)..];
        return (status, Encoding.UTF8.GetString(head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Unchunk(body) : body));
    }

    private static byte[] Unchunk(ReadOnlySpan<byte> body)
    {
        var result = new MemoryStream();
        while (!body.IsEmpty)
        {
            var end = body.IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body[..end]).Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }

            result.Write(body.Slice(end + 2, size));
            body = body[(end + 2 + size + 2)..];
        }

        return result.ToArray();
    }
}
