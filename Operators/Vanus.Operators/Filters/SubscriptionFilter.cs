using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Filters;

/// <summary>
/// The compiled <c>filters</c> of a subscription: an array of dialect objects (<c>exact</c>, <c>prefix</c>,
/// <c>suffix</c>, <c>all</c>, <c>any</c>, <c>not</c>, <c>sql</c>, <c>cel</c>) that must all match; no filters match
/// everything. Compiled once, immutable and safe to share between threads.
/// </summary>
public sealed class SubscriptionFilter
{
    private readonly FilterNode _root;

    private SubscriptionFilter(FilterNode root, string json)
    {
        _root = root;
        Json = json;
    }

    /// <summary>The filter that lets every event through (an absent or empty <c>filters</c> array).</summary>
    public static SubscriptionFilter MatchAll { get; } = new(TrueFilter.Instance, "[]");

    /// <summary>The <c>filters</c> array this filter was compiled from, as JSON.</summary>
    public string Json { get; }

    /// <summary>True when this filter has no conditions and so matches every event.</summary>
    public bool IsMatchAll => ReferenceEquals(_root, TrueFilter.Instance);

    /// <summary>Compiles the <c>filters</c> array given as JSON text (<c>null</c> matches everything); throws <see cref="FilterDefinitionException"/> naming the offending filter.</summary>
    public static SubscriptionFilter Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FilterDefinitionException(SubscriptionFields.Filters, $"is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    /// <summary>Compiles the <c>filters</c> member of a subscription document (undefined or null match everything); throws <see cref="FilterDefinitionException"/> naming the offending filter.</summary>
    public static SubscriptionFilter Parse(JsonElement filters)
    {
        var root = FilterParser.ParseList(filters, SubscriptionFields.Filters);
        return ReferenceEquals(root, TrueFilter.Instance) ? MatchAll : new SubscriptionFilter(root, filters.GetRawText());
    }

    /// <summary>True when the event passes every filter.</summary>
    public bool Matches(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return _root.Matches(e);
    }

    /// <summary>An <c>exact</c> filter: the attribute (or <c>data</c>, <c>data.&lt;path&gt;</c>) must equal the value.</summary>
    public static SubscriptionFilter Exact(string attribute, string value) => Dialect("exact", attribute, value);

    /// <summary>A <c>prefix</c> filter: the attribute (or <c>data</c>, <c>data.&lt;path&gt;</c>) must start with the value.</summary>
    public static SubscriptionFilter Prefix(string attribute, string value) => Dialect("prefix", attribute, value);

    /// <summary>A <c>suffix</c> filter: the attribute (or <c>data</c>, <c>data.&lt;path&gt;</c>) must end with the value.</summary>
    public static SubscriptionFilter Suffix(string attribute, string value) => Dialect("suffix", attribute, value);

    /// <summary>A <c>sql</c> filter: the CloudEvents SQL expression must evaluate to true.</summary>
    public static SubscriptionFilter Sql(string expression) => Single(w => w.WriteString("sql", expression ?? throw new ArgumentNullException(nameof(expression))));

    /// <summary>A <c>cel</c> filter: the CEL expression must evaluate to true.</summary>
    public static SubscriptionFilter Cel(string expression) => Single(w => w.WriteString("cel", expression ?? throw new ArgumentNullException(nameof(expression))));

    /// <summary>A filter that matches when every one of the given filters matches.</summary>
    public static SubscriptionFilter All(params SubscriptionFilter[] filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        return Parse(Write(w =>
        {
            w.WriteStartArray();
            foreach (var filter in filters)
            {
                ArgumentNullException.ThrowIfNull(filter, nameof(filters));
                using var doc = JsonDocument.Parse(filter.Json);
                foreach (var item in doc.RootElement.EnumerateArray())
                {
                    item.WriteTo(w);
                }
            }

            w.WriteEndArray();
        }));
    }

    /// <summary>A filter that matches when at least one of the given filters matches.</summary>
    public static SubscriptionFilter Any(params SubscriptionFilter[] filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Length == 0)
        {
            throw new ArgumentException("any needs at least one filter.", nameof(filters));
        }

        return Single(w =>
        {
            w.WriteStartArray("any");
            foreach (var filter in filters)
            {
                ArgumentNullException.ThrowIfNull(filter, nameof(filters));
                WriteAsOne(w, filter, nameof(filters));
            }

            w.WriteEndArray();
        });
    }

    /// <summary>A filter that matches exactly when the given one does not.</summary>
    public static SubscriptionFilter Not(SubscriptionFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return Single(w =>
        {
            w.WritePropertyName("not");
            WriteAsOne(w, filter, nameof(filter));
        });
    }

    /// <summary>The <c>filters</c> array as JSON.</summary>
    public override string ToString() => Json;

    private static SubscriptionFilter Dialect(string dialect, string attribute, string value)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        ArgumentNullException.ThrowIfNull(value);
        return Single(w =>
        {
            w.WriteStartObject(dialect);
            w.WriteString(attribute, value);
            w.WriteEndObject();
        });
    }

    private static SubscriptionFilter Single(Action<Utf8JsonWriter> member) => Parse(Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        member(w);
        w.WriteEndObject();
        w.WriteEndArray();
    }));

    // A filters array is a conjunction; inside any or not it must become one object, so several filters become an all.
    private static void WriteAsOne(Utf8JsonWriter w, SubscriptionFilter filter, string parameter)
    {
        if (filter.IsMatchAll)
        {
            throw new ArgumentException("A filter that matches everything cannot be combined with any or not.", parameter);
        }

        using var doc = JsonDocument.Parse(filter.Json);
        var items = doc.RootElement;
        if (items.GetArrayLength() == 1)
        {
            items[0].WriteTo(w);
            return;
        }

        w.WriteStartObject();
        w.WritePropertyName("all");
        items.WriteTo(w);
        w.WriteEndObject();
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps quotes and comparison operators of expressions readable in the stored document.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
