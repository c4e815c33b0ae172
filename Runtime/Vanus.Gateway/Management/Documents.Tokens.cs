using System.Text.Json;
using Vanus.Gateway.Security;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Management;

/// <summary>The token document: <c>{"name":"shop","roles":["write:default/orders"],"expires":"90d"}</c>.</summary>
internal static partial class Documents
{
    /// <summary>The longest a token may live.</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromDays(3650);

    /// <summary>Reads a token request: its name, its roles (each checked) and its lifetime (null: it does not expire).</summary>
    public static (string Name, IReadOnlyList<string> Roles, TimeSpan? Expires) ReadToken(ReadOnlySpan<byte> json)
    {
        var reader = Start(json);
        string? name = null;
        List<string>? roles = null;
        TimeSpan? expires = null;
        try
        {
            ReadObject(ref reader, null, ["name", "roles", "expires"], (ref Utf8JsonReader r, string field) =>
            {
                switch (field)
                {
                    case "name": name = ReadName(ref r, field); break;
                    case "roles": roles = ReadRoles(ref r, field); break;
                    case "expires": expires = ReadLifetime(ref r, field); break;
                }
            });
            End(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        return (name ?? throw FieldException.Document("name", "is required"),
            roles ?? throw FieldException.Document("roles", "is required: a list such as [\"write:default/orders\",\"read:default/*\"]"),
            expires);
    }

    private static List<string> ReadRoles(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw FieldException.Document(field, $"must be a JSON array of roles such as [\"view:default\"] (got {Describe(reader.TokenType)})");
        }

        var roles = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var item = $"{field}[{roles.Count}]";
            var text = ReadString(ref reader, item);
            roles.Add(Role.TryParse(text, out var role, out var error) ? role.ToString() : throw FieldException.Document(item, error!));
        }

        return roles.Count > 0 ? roles : throw FieldException.Document(field, "must name at least one role");
    }

    private static TimeSpan ReadLifetime(ref Utf8JsonReader reader, string field)
    {
        var lifetime = ReadDuration(ref reader, field);
        return lifetime <= TimeSpan.Zero
            ? throw FieldException.Document(field, "must be positive")
            : lifetime > MaxTokenLifetime ? throw FieldException.Document(field, $"must be at most {Units.FormatDuration(MaxTokenLifetime)}") : lifetime;
    }
}
