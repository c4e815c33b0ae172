using System.Collections;
using Microsoft.AspNetCore.Http;
using Vanus.Runtime.Codecs;

namespace Vanus.Gateway.Ingest;

/// <summary>
/// Presents ASP.NET Core's request headers in the shape <see cref="HttpBinding.DecodeBinary"/> reads, passing on only the
/// <c>ce-</c> headers and without copying names or values.
/// </summary>
internal sealed class CeHeaders(IHeaderDictionary headers) : IEnumerable<KeyValuePair<string, IEnumerable<string>>>
{
    public IEnumerator<KeyValuePair<string, IEnumerable<string>>> GetEnumerator()
    {
        foreach (var header in headers)
        {
            if (header.Key.StartsWith(HttpBinding.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new(header.Key, header.Value);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
