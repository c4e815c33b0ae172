using System.Text.Json;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Management;

/// <summary>Reads the management API's request documents strictly: unknown fields, wrong types and bad values are refused by name.</summary>
internal static partial class Documents
{
    public const int MaxEventlogs = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    /// <summary>Reads <c>{"name":"..."}</c>, the document that creates a namespace.</summary>
    public static string ReadNamespace(ReadOnlySpan<byte> json)
    {
        var reader = Start(json);
        string? name = null;
        try
        {
            ReadObject(ref reader, null, ["name"], (ref Utf8JsonReader r, string field) => name = ReadName(ref r, field));
            End(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        return name ?? throw FieldException.Document("name", "is required");
    }

    /// <summary>Reads the document that creates an eventbus, with the defaults of DESIGN §6 for what it leaves out.</summary>
    public static EventbusSpec ReadEventbus(ReadOnlySpan<byte> json)
    {
        var reader = Start(json);
        string? name = null;
        int? eventlogs = null, replicas = null;
        SyncPolicy? sync = null;
        RetentionOptions? retention = null;
        try
        {
            ReadObject(ref reader, null, ["name", "eventlogs", "replicas", "sync", "retention"], (ref Utf8JsonReader r, string field) =>
            {
                switch (field)
                {
                    case "name": name = ReadName(ref r, field); break;
                    case "eventlogs": eventlogs = ReadInt(ref r, field, 1, MaxEventlogs); break;
                    case "replicas": replicas = ReadInt(ref r, field, 1, int.MaxValue); break;
                    case "sync": sync = ReadSync(ref r, field); break;
                    case "retention": retention = ReadRetention(ref r, field); break;
                }
            });
            End(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        var spec = new EventbusSpec(name ?? throw FieldException.Document("name", "is required"));
        return spec with
        {
            Eventlogs = eventlogs ?? spec.Eventlogs,
            Replicas = replicas ?? spec.Replicas,
            Sync = sync ?? spec.Sync,
            Retention = retention ?? spec.Retention,
        };
    }

    /// <summary>Checks a namespace or eventbus name by the cluster's rules (it travels in URL paths, so it keeps to a safe alphabet).</summary>
    public static string? CheckName(string name) => EventbusNames.Check(name);

    public static string SyncName(SyncPolicy sync) => sync switch
    {
        SyncPolicy.Always => "always",
        SyncPolicy.Interval => "interval",
        SyncPolicy.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(sync), sync, "Unknown sync policy."),
    };

    private delegate void FieldReader(ref Utf8JsonReader reader, string field);

    private static Utf8JsonReader Start(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            throw FieldException.Document(null, "is empty; send a JSON object");
        }

        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            reader.Read();
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }

        return reader;
    }

    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw FieldException.Document(null, "has content after the end of the JSON object");
        }
    }

    private static FieldException NotJson(JsonException e) => FieldException.Document(null, $"is not valid JSON ({e.Message})");

    /// <summary>Reads the object the reader stands on, handing each known, non-null field to <paramref name="read"/>.</summary>
    private static void ReadObject(ref Utf8JsonReader reader, string? path, string[] fields, FieldReader read)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw FieldException.Document(path, $"must be a JSON object (got {Describe(reader.TokenType)})");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            var field = path is null ? name : $"{path}.{name}";
            if (Array.IndexOf(fields, name) < 0)
            {
                throw FieldException.Document(field, $"is not a field of this document (it takes {string.Join(", ", fields)})");
            }

            if (!seen.Add(name))
            {
                throw FieldException.Document(field, "appears twice");
            }

            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                // null reads as "not given": the default applies.
                continue;
            }

            read(ref reader, field);
        }
    }

    private static string ReadName(ref Utf8JsonReader reader, string field)
    {
        var name = ReadString(ref reader, field);
        return CheckName(name) is { } rule ? throw FieldException.Document(field, rule) : name;
    }

    private static string ReadString(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw FieldException.Document(field, $"must be a JSON string (got {Describe(reader.TokenType)})");

    private static int ReadInt(ref Utf8JsonReader reader, string field, int min, int max)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw FieldException.Document(field, $"must be a whole number (got {Describe(reader.TokenType)})");
        }

        if (!reader.TryGetInt64(out var value))
        {
            var text = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            throw FieldException.Document(field, $"must be a whole number between {min} and {max} (got {text})");
        }

        if (value < min || value > max)
        {
            throw FieldException.Document(field, max == int.MaxValue ? $"must be at least {min} (got {value})" : $"must be between {min} and {max} (got {value})");
        }

        return (int)value;
    }

    private static SyncPolicy ReadSync(ref Utf8JsonReader reader, string field) => ReadString(ref reader, field) switch
    {
        "always" => SyncPolicy.Always,
        "interval" => SyncPolicy.Interval,
        "none" => SyncPolicy.None,
        var other => throw FieldException.Document(field, $"must be 'always', 'interval' or 'none' (got '{other}')"),
    };

    private static RetentionOptions ReadRetention(ref Utf8JsonReader reader, string field)
    {
        TimeSpan? age = null;
        long? bytes = null;
        ReadObject(ref reader, field, ["age", "bytes"], (ref Utf8JsonReader r, string f) =>
        {
            var text = ReadString(ref r, f);
            if (f.EndsWith(".age", StringComparison.Ordinal))
            {
                if (!Units.TryParseDuration(text, out var value, out var error))
                {
                    throw FieldException.Document(f, $"must be a duration: {error}");
                }

                age = value > TimeSpan.Zero ? value : throw FieldException.Document(f, "must be longer than 0 (leave it out to keep events whatever their age)");
            }
            else
            {
                if (!Units.TryParseSize(text, out var value, out var error))
                {
                    throw FieldException.Document(f, $"must be a size: {error}");
                }

                bytes = value > 0 ? value : throw FieldException.Document(f, "must be larger than 0 (leave it out to keep events whatever their size)");
            }
        });
        return new RetentionOptions { MaxAge = age, MaxBytes = bytes };
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
