using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Vanus.Operators.Transform;

/// <summary>The kinds of step a <see cref="JsonPath"/> takes.</summary>
internal enum PathStep : byte
{
    /// <summary><c>.name</c> or <c>['name']</c>: an object member.</summary>
    Name,
    /// <summary><c>[n]</c>: an array element; negative counts from the end.</summary>
    Index,
    /// <summary><c>.*</c> or <c>[*]</c>: every member or element.</summary>
    Wildcard,
    /// <summary><c>[start:end:step]</c>: a slice of an array.</summary>
    Slice,
    /// <summary><c>..name</c>: the member at any depth.</summary>
    DescendantName,
    /// <summary><c>..*</c>: every value at any depth.</summary>
    DescendantWildcard,
}

/// <summary>One step of a parsed path.</summary>
internal readonly record struct PathSegment(PathStep Step, string? Name = null, int Index = 0, int? Start = null, int? End = null, int Stride = 1);

/// <summary>
/// A JSONPath below a root (<c>$.data</c> for action arguments, the event for template placeholders): member names,
/// indexes, wildcards, slices and recursive descent, parsed once. Paths made only of names and indexes can also be
/// written and removed, the way Vanus writes data (missing objects and arrays on the way are created).
/// </summary>
internal sealed class JsonPath
{
    private readonly PathSegment[] _segments;

    private JsonPath(PathSegment[] segments, string text)
    {
        _segments = segments;
        Text = text;
        IsSingular = Array.TrueForAll(segments, s => s.Step is PathStep.Name or PathStep.Index);
        IsWritable = Array.TrueForAll(segments, s => s.Step == PathStep.Name || (s.Step == PathStep.Index && s.Index >= 0));
    }

    /// <summary>The path as written, relative to its root.</summary>
    public string Text { get; }

    /// <summary>The steps in order.</summary>
    public ReadOnlySpan<PathSegment> Segments => _segments;

    /// <summary>True when the path is the root itself.</summary>
    public bool IsRoot => _segments.Length == 0;

    /// <summary>True when the path selects at most one value (names and indexes only).</summary>
    public bool IsSingular { get; }

    /// <summary>True when the path can be the target of a write (names and non-negative indexes only).</summary>
    public bool IsWritable { get; }

    /// <summary>Parses the part of a path after its root (empty, or starting with '.' or '['); throws <see cref="FormatException"/> naming the position.</summary>
    public static JsonPath Parse(string text)
    {
        var segments = new List<PathSegment>();
        var pos = 0;
        while (pos < text.Length)
        {
            var c = text[pos];
            if (c == '.')
            {
                if (pos + 1 < text.Length && text[pos + 1] == '.')
                {
                    pos += 2;
                    if (pos < text.Length && text[pos] == '*')
                    {
                        segments.Add(new PathSegment(PathStep.DescendantWildcard));
                        pos++;
                    }
                    else
                    {
                        segments.Add(new PathSegment(PathStep.DescendantName, ReadName(text, ref pos)));
                    }
                }
                else
                {
                    pos++;
                    if (pos < text.Length && text[pos] == '*')
                    {
                        segments.Add(new PathSegment(PathStep.Wildcard));
                        pos++;
                    }
                    else
                    {
                        segments.Add(new PathSegment(PathStep.Name, ReadName(text, ref pos)));
                    }
                }
            }
            else if (c == '[')
            {
                segments.Add(ReadBracket(text, ref pos));
            }
            else
            {
                throw new FormatException($"expected '.' or '[' at position {pos} of '{text}', found '{c}'");
            }
        }

        return new JsonPath([.. segments], text);
    }

    /// <summary>Reads a singular path's value; false when some step finds nothing (a JSON null that is found is returned as null with true).</summary>
    public bool TryGetSingle(JsonNode? root, out JsonNode? value)
    {
        var node = root;
        foreach (var segment in _segments)
        {
            if (!TryStep(node, segment, out node))
            {
                value = null;
                return false;
            }
        }

        value = node;
        return true;
    }

    /// <summary>Adds every value the path selects from <paramref name="root"/> to <paramref name="results"/> (found JSON nulls included), starting at segment <paramref name="from"/>.</summary>
    public void Select(JsonNode? root, List<JsonNode?> results, int from = 0)
    {
        if (from >= _segments.Length)
        {
            results.Add(root);
            return;
        }

        if (IsSingular)
        {
            var node = root;
            for (var i = from; i < _segments.Length; i++)
            {
                if (!TryStep(node, _segments[i], out node))
                {
                    return;
                }
            }

            results.Add(node);
            return;
        }

        var current = new List<JsonNode?> { root };
        var next = new List<JsonNode?>();
        for (var i = from; i < _segments.Length; i++)
        {
            next.Clear();
            foreach (var node in current)
            {
                Apply(_segments[i], node, next);
            }

            (current, next) = (next, current);
        }

        results.AddRange(current);
    }

    /// <summary>
    /// The value an action argument sees: the single value, or for a path that selects several, a new array of copies of them;
    /// null when nothing (or only JSON null) is found, which Vanus treats as "no value".
    /// </summary>
    public JsonNode? Evaluate(JsonNode? root)
    {
        if (IsSingular)
        {
            return TryGetSingle(root, out var value) ? value : null;
        }

        var results = new List<JsonNode?>();
        Select(root, results);
        switch (results.Count)
        {
            case 0:
                return null;
            case 1:
                return results[0];
            default:
                var array = new JsonArray();
                foreach (var item in results)
                {
                    array.Add(item?.DeepClone());
                }

                return array;
        }
    }

    /// <summary>
    /// Writes <paramref name="value"/> (which must have no parent) at this writable path below <paramref name="root"/> and returns the root,
    /// which is new when <paramref name="root"/> was null.
    /// </summary>
    public JsonNode? Set(JsonNode? root, JsonNode? value)
    {
        if (_segments.Length == 0)
        {
            return value;
        }

        root ??= _segments[0].Step == PathStep.Index ? new JsonArray() : new JsonObject();
        var node = root;
        for (var i = 0; i < _segments.Length - 1; i++)
        {
            var segment = _segments[i];
            var wantArray = _segments[i + 1].Step == PathStep.Index;
            TryStep(node, segment, out var child);
            if (child is null)
            {
                child = wantArray ? new JsonArray() : new JsonObject();
                Put(node, segment, child, i);
            }
            else if (wantArray ? child is not JsonArray : child is not JsonObject)
            {
                throw new TransformFailure($"cannot write {Describe(_segments.Length)}: {Describe(i + 1)} is {Values.Describe(child)}, not {(wantArray ? "an array" : "an object")}");
            }

            node = child;
        }

        Put(node, _segments[^1], value, _segments.Length - 1);
        return root;
    }

    /// <summary>Removes the value at this writable path; false when there was nothing to remove.</summary>
    public bool Remove(JsonNode? root)
    {
        var node = root;
        for (var i = 0; i < _segments.Length - 1; i++)
        {
            if (!TryStep(node, _segments[i], out node))
            {
                return false;
            }
        }

        var last = _segments[^1];
        switch (node)
        {
            case JsonObject obj when last.Step == PathStep.Name:
                return obj.Remove(last.Name!);
            case JsonArray array when last.Step == PathStep.Index && last.Index < array.Count:
                array.RemoveAt(last.Index);
                return true;
            default:
                return false;
        }
    }

    /// <summary>This path with text appended to its last member name (UNFOLD_ARRAY's "prefix-0", "prefix-1", ...).</summary>
    public JsonPath WithLastNameSuffix(string suffix)
    {
        var segments = (PathSegment[])_segments.Clone();
        segments[^1] = segments[^1] with { Name = segments[^1].Name + suffix };
        return new JsonPath(segments, Text + suffix);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private void Put(JsonNode node, PathSegment segment, JsonNode? value, int index)
    {
        if (segment.Step == PathStep.Name)
        {
            if (node is not JsonObject obj)
            {
                throw new TransformFailure($"cannot write {Describe(_segments.Length)}: {Describe(index)} is {Values.Describe(node)}, not an object");
            }

            obj[segment.Name!] = value;
            return;
        }

        if (node is not JsonArray array)
        {
            throw new TransformFailure($"cannot write {Describe(_segments.Length)}: {Describe(index)} is {Values.Describe(node)}, not an array");
        }

        // Vanus grows the array with nulls up to the index it writes.
        while (array.Count <= segment.Index)
        {
            array.Add(null);
        }

        array[segment.Index] = value;
    }

    private string Describe(int segmentCount)
    {
        if (segmentCount == 0)
        {
            return "the root";
        }

        var sb = new StringBuilder("'");
        for (var i = 0; i < segmentCount; i++)
        {
            var s = _segments[i];
            sb.Append(s.Step == PathStep.Name ? "." + s.Name : "[" + s.Index.ToString(CultureInfo.InvariantCulture) + "]");
        }

        return sb.Append('\'').ToString();
    }

    private static bool TryStep(JsonNode? node, PathSegment segment, out JsonNode? child)
    {
        switch (node)
        {
            case JsonObject obj when segment.Step == PathStep.Name:
                return obj.TryGetPropertyValue(segment.Name!, out child);
            case JsonArray array when segment.Step == PathStep.Index:
                var i = segment.Index < 0 ? array.Count + segment.Index : segment.Index;
                if (i >= 0 && i < array.Count)
                {
                    child = array[i];
                    return true;
                }

                break;
        }

        child = null;
        return false;
    }

    private static void Apply(PathSegment segment, JsonNode? node, List<JsonNode?> output)
    {
        switch (segment.Step)
        {
            case PathStep.Name:
            case PathStep.Index:
                if (TryStep(node, segment, out var child))
                {
                    output.Add(child);
                }

                break;
            case PathStep.Wildcard:
                AddChildren(node, output);
                break;
            case PathStep.Slice:
                if (node is JsonArray array)
                {
                    AddSlice(array, segment, output);
                }

                break;
            case PathStep.DescendantName:
                Descend(node, segment.Name, output);
                break;
            case PathStep.DescendantWildcard:
                Descend(node, null, output);
                break;
        }
    }

    private static void AddChildren(JsonNode? node, List<JsonNode?> output)
    {
        if (node is JsonObject obj)
        {
            foreach (var member in obj)
            {
                output.Add(member.Value);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                output.Add(item);
            }
        }
    }

    private static void Descend(JsonNode? node, string? name, List<JsonNode?> output)
    {
        if (name is null)
        {
            var start = output.Count;
            AddChildren(node, output);
            var end = output.Count;
            for (var i = start; i < end; i++)
            {
                Descend(output[i], null, output);
            }

            return;
        }

        if (node is JsonObject obj)
        {
            if (obj.TryGetPropertyValue(name, out var value))
            {
                output.Add(value);
            }

            foreach (var member in obj)
            {
                Descend(member.Value, name, output);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                Descend(item, name, output);
            }
        }
    }

    private static void AddSlice(JsonArray array, PathSegment segment, List<JsonNode?> output)
    {
        var length = array.Count;
        var stride = segment.Stride;
        if (stride > 0)
        {
            var lower = Math.Clamp(Normalize(segment.Start ?? 0, length), 0, length);
            var upper = Math.Clamp(Normalize(segment.End ?? length, length), 0, length);
            for (var i = lower; i < upper; i += stride)
            {
                output.Add(array[i]);
            }
        }
        else
        {
            var upper = Math.Clamp(Normalize(segment.Start ?? length - 1, length), -1, length - 1);
            var lower = Math.Clamp(segment.End is { } e ? Normalize(e, length) : -1, -1, length - 1);
            for (var i = upper; i > lower; i += stride)
            {
                output.Add(array[i]);
            }
        }
    }

    private static int Normalize(int index, int length) => index >= 0 ? index : length + index;

    private static string ReadName(string text, ref int pos)
    {
        var start = pos;
        while (pos < text.Length && text[pos] is not ('.' or '[' or ']'))
        {
            pos++;
        }

        if (pos == start)
        {
            throw new FormatException($"expected a member name at position {start} of '{text}'");
        }

        return text[start..pos];
    }

    private static PathSegment ReadBracket(string text, ref int pos)
    {
        var open = pos;
        pos++;
        SkipSpaces(text, ref pos);
        if (pos >= text.Length)
        {
            throw new FormatException($"'[' at position {open} of '{text}' is not closed");
        }

        PathSegment segment;
        var c = text[pos];
        if (c is '\'' or '"')
        {
            segment = new PathSegment(PathStep.Name, ReadQuoted(text, ref pos));
        }
        else if (c == '*')
        {
            pos++;
            segment = new PathSegment(PathStep.Wildcard);
        }
        else if (c is '?' or '(')
        {
            throw new FormatException($"filter and script expressions ('[{c}') are not supported (position {pos} of '{text}')");
        }
        else
        {
            var first = ReadInteger(text, ref pos);
            SkipSpaces(text, ref pos);
            if (pos < text.Length && text[pos] == ':')
            {
                pos++;
                SkipSpaces(text, ref pos);
                var end = ReadInteger(text, ref pos);
                SkipSpaces(text, ref pos);
                var stride = 1;
                if (pos < text.Length && text[pos] == ':')
                {
                    pos++;
                    SkipSpaces(text, ref pos);
                    stride = ReadInteger(text, ref pos) ?? 1;
                    if (stride == 0)
                    {
                        throw new FormatException($"a slice step of 0 at position {pos} of '{text}' selects nothing");
                    }
                }

                segment = new PathSegment(PathStep.Slice, Start: first, End: end, Stride: stride);
            }
            else if (first is { } index)
            {
                segment = new PathSegment(PathStep.Index, Index: index);
            }
            else
            {
                throw new FormatException($"expected an index, a quoted name, '*' or a slice after '[' at position {open} of '{text}'");
            }
        }

        SkipSpaces(text, ref pos);
        if (pos < text.Length && text[pos] == ',')
        {
            throw new FormatException($"unions (',' inside brackets) are not supported (position {pos} of '{text}')");
        }

        if (pos >= text.Length || text[pos] != ']')
        {
            throw new FormatException($"expected ']' at position {pos} of '{text}' to close the '[' at position {open}");
        }

        pos++;
        return segment;
    }

    private static string ReadQuoted(string text, ref int pos)
    {
        var quote = text[pos];
        var start = pos;
        pos++;
        var sb = new StringBuilder();
        while (pos < text.Length && text[pos] != quote)
        {
            if (text[pos] == '\\' && pos + 1 < text.Length)
            {
                pos++;
            }

            sb.Append(text[pos]);
            pos++;
        }

        if (pos >= text.Length)
        {
            throw new FormatException($"the quoted name at position {start} of '{text}' is not closed");
        }

        pos++;
        return sb.ToString();
    }

    private static int? ReadInteger(string text, ref int pos)
    {
        var start = pos;
        if (pos < text.Length && text[pos] == '-')
        {
            pos++;
        }

        while (pos < text.Length && char.IsAsciiDigit(text[pos]))
        {
            pos++;
        }

        if (pos == start)
        {
            return null;
        }

        if (!int.TryParse(text.AsSpan(start, pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text[start..pos]}' at position {start} of '{text}' is not a valid index");
        }

        return value;
    }

    private static void SkipSpaces(string text, ref int pos)
    {
        while (pos < text.Length && text[pos] == ' ')
        {
            pos++;
        }
    }
}
