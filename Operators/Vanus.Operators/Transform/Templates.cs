using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vanus.Operators.Transform;

/// <summary>
/// The transformer's output template, compiled once. A text template writes <c>text/plain</c>; a JSON template
/// (one that starts with '{', '[' or '"', as Vanus decides) writes <c>application/json</c>. Placeholders are
/// <c>&lt;variable&gt;</c> from define and <c>&lt;$.path&gt;</c> into the event after the pipeline ran.
/// </summary>
internal abstract class Template
{
    /// <summary>The content type of the rendered data.</summary>
    public abstract string ContentType { get; }

    /// <summary>Renders the template for one event.</summary>
    public abstract byte[] Render(TransformContext ctx);

    /// <summary>Compiles a template of the given type ("text" or "json"); throws <see cref="FormatException"/> naming the position of a fault.</summary>
    public static Template Compile(string text, bool json, IReadOnlyDictionary<string, int> defines) =>
        json ? JsonTemplate.Compile(text, defines) : TextTemplate.Compile(text, defines);

    /// <summary>Reads a placeholder after its '&lt;': a model path when it starts with '$', otherwise a define variable name.</summary>
    internal static Placeholder ReadPlaceholder(string text, ref int pos, IReadOnlyDictionary<string, int> defines)
    {
        var start = pos - 1;
        if (pos < text.Length && text[pos] == '$')
        {
            var close = FindPathEnd(text, pos);
            if (close < 0)
            {
                throw new FormatException($"the placeholder at position {start} is not closed with '>'");
            }

            var pathText = text[(pos + 1)..close];
            JsonPath path;
            try
            {
                path = JsonPath.Parse(pathText);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"the placeholder at position {start} is not a valid JSON path: {ex.Message}", ex);
            }

            pos = close + 1;
            return new Placeholder(new ModelPath(path, "$" + pathText), -1, null);
        }

        var nameStart = pos;
        while (pos < text.Length && text[pos] != '>')
        {
            var c = text[pos];
            if (!(char.IsLetter(c) || char.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber || c is '_' or '-'))
            {
                throw new FormatException($"'<' at position {start} starts a placeholder, but '{c}' at position {pos} cannot be part of a variable name (letters, digits, '_' and '-'); write '\\<' for a literal '<'");
            }

            pos++;
        }

        if (pos >= text.Length)
        {
            throw new FormatException($"the placeholder at position {start} is not closed with '>'; write '\\<' for a literal '<'");
        }

        var name = text[nameStart..pos];
        if (name.Length == 0)
        {
            throw new FormatException($"the placeholder '<>' at position {start} has no variable name");
        }

        pos++;
        if (!defines.TryGetValue(name, out var slot))
        {
            throw new FormatException($"the template uses <{name}>, which define does not declare");
        }

        return new Placeholder(null, slot, name);
    }

    /// <summary>Writes a value as text: strings raw, numbers in JSON form, null as "null", objects and arrays as compact JSON.</summary>
    internal static void AppendValue(StringBuilder sb, JsonNode? value)
    {
        if (value is null)
        {
            sb.Append("null");
            return;
        }

        sb.Append(Values.ToText(value));
    }

    /// <summary>Appends several path results as the JSON array Vanus writes for them.</summary>
    internal static void AppendArray(StringBuilder sb, List<JsonNode?> results)
    {
        var array = new JsonArray();
        foreach (var item in results)
        {
            array.Add(item?.DeepClone());
        }

        sb.Append(array.ToJsonString(Json.Compact));
    }

    private static int FindPathEnd(string text, int pos)
    {
        var quote = '\0';
        for (var i = pos; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A placeholder: either a model path or a define slot.</summary>
    internal readonly record struct Placeholder(ModelPath? Path, int Slot, string? Name);
}

/// <summary>A <c>&lt;$...&gt;</c> placeholder: a JSON path into the event (attributes at the top, the data under <c>data</c>).</summary>
internal sealed class ModelPath(JsonPath path, string original)
{
    /// <summary>The placeholder as written.</summary>
    public string Original => original;

    /// <summary>Adds the values the path selects from the event as it is after the pipeline.</summary>
    public void Select(TransformContext ctx, List<JsonNode?> results)
    {
        var segments = path.Segments;
        if (segments.Length > 0 && segments[0].Step == PathStep.Name)
        {
            var name = segments[0].Name!;
            if (name == "data")
            {
                // As in Vanus, the model has no "data" member when the event has none.
                if (ctx.ReadData() is { } data)
                {
                    path.Select(data, results, 1);
                }

                return;
            }

            if (AttributeArg.Read(ctx.Event, name) is { } attribute)
            {
                path.Select(attribute, results, 1);
            }

            return;
        }

        path.Select(BuildModel(ctx), results);
    }

    private static JsonObject BuildModel(TransformContext ctx)
    {
        var e = ctx.Event;
        var model = new JsonObject();
        foreach (var name in (string[])["id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time"])
        {
            if (AttributeArg.Read(e, name) is { } value)
            {
                model[name] = value;
            }
        }

        if (ctx.ReadData() is { } data)
        {
            model["data"] = data.DeepClone();
        }

        foreach (var extension in e.Extensions)
        {
            model[extension.Key] = AttributeArg.Read(e, extension.Key);
        }

        return model;
    }
}

/// <summary>A text template: literal text and placeholders, rendered as UTF-8 <c>text/plain</c>.</summary>
internal sealed class TextTemplate : Template
{
    private readonly object[] _parts;

    private TextTemplate(object[] parts) => _parts = parts;

    /// <inheritdoc />
    public override string ContentType => "text/plain";

    /// <summary>Compiles text with Vanus's escapes: \&lt; \&gt; \\ \b \f \n \r \t \uXXXX \xXX and octal \NNN.</summary>
    public static TextTemplate Compile(string text, IReadOnlyDictionary<string, int> defines)
    {
        var parts = new List<object>();
        var sb = new StringBuilder();
        var pos = 0;
        while (pos < text.Length)
        {
            var c = text[pos];
            if (c == '\\')
            {
                AppendEscape(text, ref pos, sb);
            }
            else if (c == '<')
            {
                if (sb.Length > 0)
                {
                    parts.Add(sb.ToString());
                    sb.Clear();
                }

                pos++;
                parts.Add(ReadPlaceholder(text, ref pos, defines));
            }
            else
            {
                sb.Append(c);
                pos++;
            }
        }

        if (sb.Length > 0)
        {
            parts.Add(sb.ToString());
        }

        return new TextTemplate([.. parts]);
    }

    /// <inheritdoc />
    public override byte[] Render(TransformContext ctx)
    {
        var sb = new StringBuilder();
        List<JsonNode?>? results = null;
        foreach (var part in _parts)
        {
            if (part is string literal)
            {
                sb.Append(literal);
                continue;
            }

            var placeholder = (Placeholder)part;
            if (placeholder.Path is { } path)
            {
                results ??= [];
                results.Clear();
                path.Select(ctx, results);
                if (results.Count == 1)
                {
                    AppendValue(sb, results[0]);
                }
                else if (results.Count > 1)
                {
                    AppendArray(sb, results);
                }
            }
            else
            {
                AppendValue(sb, ctx.Defines[placeholder.Slot]);
            }
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void AppendEscape(string text, ref int pos, StringBuilder sb)
    {
        var at = pos;
        if (pos + 1 >= text.Length)
        {
            throw new FormatException($"the template ends with a lone '\\' at position {at}");
        }

        var c = text[pos + 1];
        pos += 2;
        switch (c)
        {
            case '<' or '>' or '\\': sb.Append(c); return;
            case 'b': sb.Append('\b'); return;
            case 'f': sb.Append('\f'); return;
            case 'n': sb.Append('\n'); return;
            case 'r': sb.Append('\r'); return;
            case 't': sb.Append('\t'); return;
            case 'u':
                sb.Append((char)Hex(text, ref pos, 4, at));
                return;
            case 'x':
                sb.Append(Ascii(Hex(text, ref pos, 2, at), at));
                return;
            case >= '0' and <= '7':
                var value = c - '0';
                for (var i = 0; i < 2; i++)
                {
                    if (pos >= text.Length || text[pos] is < '0' or > '7')
                    {
                        throw new FormatException($"the octal escape at position {at} needs three octal digits");
                    }

                    value = (value * 8) + (text[pos++] - '0');
                }

                sb.Append(Ascii(value, at));
                return;
            default:
                throw new FormatException($"'\\{c}' at position {at} is not a valid escape (use \\<, \\>, \\\\, \\b, \\f, \\n, \\r, \\t, \\uXXXX, \\xXX or \\NNN)");
        }
    }

    private static int Hex(string text, ref int pos, int digits, int at)
    {
        if (pos + digits > text.Length || !int.TryParse(text.AsSpan(pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"the escape at position {at} needs {digits} hexadecimal digits");
        }

        pos += digits;
        return value;
    }

    // Go writes the raw byte; above 0x7F that would not be valid UTF-8 text, so such escapes are refused.
    private static char Ascii(int value, int at) =>
        value <= 0x7F ? (char)value : throw new FormatException($"the byte escape at position {at} is above 0x7F, which is not a UTF-8 character on its own; use \\uXXXX");
}

/// <summary>A JSON template: JSON whose values may be placeholders and whose strings may contain them, rendered compactly as <c>application/json</c>.</summary>
internal sealed class JsonTemplate : Template
{
    private readonly Node _root;

    private JsonTemplate(Node root) => _root = root;

    /// <inheritdoc />
    public override string ContentType => "application/json";

    /// <summary>Compiles a JSON template; a member or element whose value is a path placeholder that selects nothing is left out, as in Vanus.</summary>
    public static JsonTemplate Compile(string text, IReadOnlyDictionary<string, int> defines)
    {
        var parser = new Parser(text, defines);
        var root = parser.ParseValue();
        parser.SkipWhitespace();
        if (parser.Position < text.Length)
        {
            throw new FormatException($"unexpected '{text[parser.Position]}' at position {parser.Position} after the end of the JSON template");
        }

        return new JsonTemplate(root);
    }

    /// <inheritdoc />
    public override byte[] Render(TransformContext ctx)
    {
        var (buffer, writer) = Json.Rent();
        _root.Render(writer, ctx, []);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private abstract class Node
    {
        public abstract void Render(Utf8JsonWriter writer, TransformContext ctx, List<JsonNode?> scratch);
    }

    private sealed class LiteralNode(byte[] raw) : Node
    {
        public override void Render(Utf8JsonWriter writer, TransformContext ctx, List<JsonNode?> scratch) => writer.WriteRawValue(raw, skipInputValidation: true);
    }

    private sealed class StringNode(string value) : Node
    {
        public override void Render(Utf8JsonWriter writer, TransformContext ctx, List<JsonNode?> scratch) => writer.WriteStringValue(value);
    }

    private sealed class VariableNode(int slot) : Node
    {
        // A define variable without a value renders as null, as Vanus does.
        public override void Render(Utf8JsonWriter writer, TransformContext ctx, List<JsonNode?> scratch) => Json.Write(writer, ctx.Defines[slot]);
    }

    private sealed class PathNode(ModelPath path) : Node
    {
        /// <summary>Selects the values; false when there are none, so the parent can leave the member or element out.</summary>
        public bool Select(TransformContext ctx, List<JsonNode?> results)
        {
            results.Clear();
            path.Select(ctx, results);
            return results.Count > 0;
        }

        public static void WriteResults(Utf8JsonWriter writer, List<JsonNode?> results)
        {
            if (results.Count == 1)
            {
                Json.Write(writer, results[0]);
                return;
            }

            writer.WriteStartArray();
            foreach (var item in results)
            {
                Json.Write(writer, item);
            }

            writer.WriteEndArray();
        }

        public override void Render(Utf8JsonWriter writer, TransformContext ctx, List<JsonNode?> scratch)
        {
            if (Select(ctx, scratch))
            {
                WriteResults(writer, scratch);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class DynamicStringNode(object[] parts) : Node
    {
        public override void Render(Utf8JsonWriter writer, TransformContext ctx, List<JsonNode?> scratch)
        {
            var sb = new StringBuilder();
            foreach (var part in parts)
            {
                if (part is string literal)
                {
                    sb.Append(literal);
                    continue;
                }

                var placeholder = (Placeholder)part;
                if (placeholder.Path is { } path)
                {
                    scratch.Clear();
                    path.Select(ctx, scratch);
                    if (scratch.Count == 1)
                    {
                        AppendValue(sb, scratch[0]);
                    }
                    else if (scratch.Count > 1)
                    {
                        AppendArray(sb, scratch);
                    }
                }
                else
                {
                    AppendValue(sb, ctx.Defines[placeholder.Slot]);
                }
            }

            writer.WriteStringValue(sb.ToString());
        }
    }

    private sealed class ObjectNode(List<KeyValuePair<string, Node>> members) : Node
    {
        public override void Render(Utf8JsonWriter writer, TransformContext ctx, List<JsonNode?> scratch)
        {
            writer.WriteStartObject();
            foreach (var (key, value) in members)
            {
                if (value is PathNode path)
                {
                    if (path.Select(ctx, scratch))
                    {
                        writer.WritePropertyName(key);
                        PathNode.WriteResults(writer, scratch);
                    }

                    continue;
                }

                writer.WritePropertyName(key);
                value.Render(writer, ctx, scratch);
            }

            writer.WriteEndObject();
        }
    }

    private sealed class ArrayNode(List<Node> elements) : Node
    {
        public override void Render(Utf8JsonWriter writer, TransformContext ctx, List<JsonNode?> scratch)
        {
            writer.WriteStartArray();
            foreach (var element in elements)
            {
                if (element is PathNode path)
                {
                    if (path.Select(ctx, scratch))
                    {
                        PathNode.WriteResults(writer, scratch);
                    }

                    continue;
                }

                element.Render(writer, ctx, scratch);
            }

            writer.WriteEndArray();
        }
    }

    private sealed class Parser(string text, IReadOnlyDictionary<string, int> defines)
    {
        public int Position { get; private set; }

        public void SkipWhitespace()
        {
            while (Position < text.Length && text[Position] is ' ' or '\t' or '\n' or '\r')
            {
                Position++;
            }
        }

        public Node ParseValue()
        {
            SkipWhitespace();
            if (Position >= text.Length)
            {
                throw new FormatException($"the JSON template ends where a value was expected (position {Position})");
            }

            var c = text[Position];
            switch (c)
            {
                case '{':
                    return ParseObject();
                case '[':
                    return ParseArray();
                case '"':
                    return ParseString();
                case '<':
                    var pos = Position + 1;
                    var placeholder = ReadPlaceholder(text, ref pos, defines);
                    Position = pos;
                    return placeholder.Path is { } path ? new PathNode(path) : new VariableNode(placeholder.Slot);
                case '-' or (>= '0' and <= '9'):
                    return ParseNumber();
                case 't':
                    return ParseWord("true");
                case 'f':
                    return ParseWord("false");
                case 'n':
                    return ParseWord("null");
                default:
                    throw new FormatException($"unexpected '{c}' at position {Position}; expected a JSON value or a <placeholder>");
            }
        }

        private ObjectNode ParseObject()
        {
            var open = Position;
            Position++;
            var members = new List<KeyValuePair<string, Node>>();
            SkipWhitespace();
            if (Position < text.Length && text[Position] == '}')
            {
                Position++;
                return new ObjectNode(members);
            }

            while (true)
            {
                SkipWhitespace();
                if (Position >= text.Length || text[Position] != '"')
                {
                    throw new FormatException($"expected a quoted member name at position {Position} in the object opened at position {open}");
                }

                var key = ReadKey();
                SkipWhitespace();
                if (Position >= text.Length || text[Position] != ':')
                {
                    throw new FormatException($"expected ':' after the member name \"{key}\" at position {Position}");
                }

                Position++;
                members.Add(new(key, ParseValue()));
                SkipWhitespace();
                if (Position < text.Length && text[Position] == ',')
                {
                    Position++;
                    continue;
                }

                if (Position < text.Length && text[Position] == '}')
                {
                    Position++;
                    return new ObjectNode(members);
                }

                throw new FormatException($"expected ',' or '}}' at position {Position} in the object opened at position {open}");
            }
        }

        private ArrayNode ParseArray()
        {
            var open = Position;
            Position++;
            var elements = new List<Node>();
            SkipWhitespace();
            if (Position < text.Length && text[Position] == ']')
            {
                Position++;
                return new ArrayNode(elements);
            }

            while (true)
            {
                elements.Add(ParseValue());
                SkipWhitespace();
                if (Position < text.Length && text[Position] == ',')
                {
                    Position++;
                    continue;
                }

                if (Position < text.Length && text[Position] == ']')
                {
                    Position++;
                    return new ArrayNode(elements);
                }

                throw new FormatException($"expected ',' or ']' at position {Position} in the array opened at position {open}");
            }
        }

        private string ReadKey()
        {
            var open = Position;
            Position++;
            var sb = new StringBuilder();
            while (true)
            {
                if (Position >= text.Length)
                {
                    throw new FormatException($"the member name at position {open} is not closed");
                }

                var c = text[Position];
                if (c == '"')
                {
                    Position++;
                    return sb.ToString();
                }

                if (c == '\\')
                {
                    ReadEscape(sb);
                    continue;
                }

                if (c < ' ')
                {
                    throw new FormatException($"a control character at position {Position} must be escaped inside a JSON string");
                }

                sb.Append(c);
                Position++;
            }
        }

        private Node ParseString()
        {
            var open = Position;
            Position++;
            var parts = new List<object>();
            var sb = new StringBuilder();
            while (true)
            {
                if (Position >= text.Length)
                {
                    throw new FormatException($"the string at position {open} is not closed");
                }

                var c = text[Position];
                if (c == '"')
                {
                    Position++;
                    break;
                }

                if (c == '\\')
                {
                    ReadEscape(sb);
                }
                else if (c == '<')
                {
                    if (sb.Length > 0)
                    {
                        parts.Add(sb.ToString());
                        sb.Clear();
                    }

                    var pos = Position + 1;
                    parts.Add(ReadPlaceholder(text, ref pos, defines));
                    Position = pos;
                }
                else if (c < ' ')
                {
                    throw new FormatException($"a control character at position {Position} must be escaped inside a JSON string");
                }
                else
                {
                    sb.Append(c);
                    Position++;
                }
            }

            if (parts.Count == 0)
            {
                return new StringNode(sb.ToString());
            }

            if (sb.Length > 0)
            {
                parts.Add(sb.ToString());
            }

            return new DynamicStringNode([.. parts]);
        }

        private void ReadEscape(StringBuilder sb)
        {
            var at = Position;
            if (Position + 1 >= text.Length)
            {
                throw new FormatException($"the escape at position {at} is cut off");
            }

            var c = text[Position + 1];
            Position += 2;
            switch (c)
            {
                case '"' or '\\' or '/' or '<' or '>': sb.Append(c); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (Position + 4 > text.Length || !int.TryParse(text.AsSpan(Position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new FormatException($"the escape at position {at} needs 4 hexadecimal digits");
                    }

                    sb.Append((char)code);
                    Position += 4;
                    break;
                default:
                    throw new FormatException($"'\\{c}' at position {at} is not a valid escape in a JSON template string");
            }
        }

        private LiteralNode ParseNumber()
        {
            var start = Position;
            if (text[Position] == '-')
            {
                Position++;
            }

            var digits = Digits();
            if (digits == 0 || (digits > 1 && text[Position - digits] == '0'))
            {
                throw new FormatException($"invalid number at position {start}");
            }

            if (Position < text.Length && text[Position] == '.')
            {
                Position++;
                if (Digits() == 0)
                {
                    throw new FormatException($"invalid number at position {start}: digits must follow '.'");
                }
            }

            if (Position < text.Length && text[Position] is 'e' or 'E')
            {
                Position++;
                if (Position < text.Length && text[Position] is '+' or '-')
                {
                    Position++;
                }

                if (Digits() == 0)
                {
                    throw new FormatException($"invalid number at position {start}: digits must follow the exponent");
                }
            }

            return new LiteralNode(Encoding.UTF8.GetBytes(text[start..Position]));
        }

        private int Digits()
        {
            var start = Position;
            while (Position < text.Length && char.IsAsciiDigit(text[Position]))
            {
                Position++;
            }

            return Position - start;
        }

        private LiteralNode ParseWord(string word)
        {
            if (string.CompareOrdinal(text, Position, word, 0, word.Length) != 0)
            {
                throw new FormatException($"unexpected text at position {Position}; expected a JSON value or a <placeholder>");
            }

            Position += word.Length;
            return new LiteralNode(Encoding.UTF8.GetBytes(word));
        }
    }
}
