using System.Security.Cryptography;
using System.Text;

namespace Vanus.Gateway.Security;

/// <summary>API token secrets: made from 32 random bytes, kept only as their SHA-256.</summary>
internal static class TokenSecret
{
    /// <summary>What every token starts with, so a leaked one is recognisable (secret scanners, logs).</summary>
    public const string Prefix = "vanus_";

    public static string New() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
