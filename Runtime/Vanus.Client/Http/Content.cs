using System.Net.Http.Headers;
using System.Text;

namespace Vanus.Client.Http;

/// <summary>Request bodies with their media types.</summary>
internal static class Content
{
    public static ByteArrayContent Json(string json) => Bytes(Encoding.UTF8.GetBytes(json), "application/json");

    public static ByteArrayContent Bytes(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        return content;
    }
}
