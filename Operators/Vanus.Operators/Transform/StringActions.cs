using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Vanus.Operators.Transform;

/// <summary>JOIN(target, separator, value, ...): each value (a string, number or array of them) joined with the separator, then all of them joined with it.</summary>
internal sealed class JoinAction(TargetArg target, Arg separator, Arg[] values) : TransformAction("JOIN")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var sep = separator.Text(ctx);
        var sb = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(sep);
            }

            // Like Vanus, an empty array still contributes its separator.
            sb.AppendJoin(sep, Values.ToStringList(values[i].Require(ctx), values[i].Original));
        }

        target.Set(ctx, JsonValue.Create(sb.ToString()));
    }
}

/// <summary>UPPER_CASE, LOWER_CASE, CAPITALIZE_SENTENCE and CAPITALIZE_WORD(path): rewrites the text at a place.</summary>
internal sealed class TextMapAction(string name, TargetArg path, Func<string, string> map) : TransformAction(name)
{
    /// <summary>Upper-cases the first character.</summary>
    public static string CapitalizeSentence(string value) =>
        value.Length == 0 || char.IsUpper(value[0]) ? value : string.Create(value.Length, value, static (dest, src) =>
        {
            src.AsSpan().CopyTo(dest);
            dest[0] = char.ToUpperInvariant(src[0]);
        });

    /// <summary>Upper-cases the first letter of every run of non-space characters.</summary>
    public static string CapitalizeWords(string value)
    {
        // Simple case mapping keeps each character's UTF-16 length, so the result can be written in place.
        return string.Create(value.Length, value, static (dest, src) =>
        {
            var inWord = false;
            var i = 0;
            while (i < src.Length)
            {
                if (Rune.DecodeFromUtf16(src.AsSpan(i), out var rune, out var consumed) != OperationStatus.Done)
                {
                    // A lone surrogate is copied as it is and counts as part of a word.
                    consumed = Math.Max(consumed, 1);
                    src.AsSpan(i, consumed).CopyTo(dest[i..]);
                    inWord = true;
                    i += consumed;
                    continue;
                }

                if (Rune.IsWhiteSpace(rune))
                {
                    inWord = false;
                }
                else
                {
                    if (!inWord && Rune.ToUpperInvariant(rune) is var upper && upper.Utf16SequenceLength == consumed)
                    {
                        rune = upper;
                    }

                    inWord = true;
                }

                rune.EncodeToUtf16(dest[i..]);
                i += consumed;
            }
        });
    }

    /// <inheritdoc />
    public override void Execute(TransformContext ctx) => path.Set(ctx, JsonValue.Create(map(path.Text(ctx))));
}

/// <summary>ADD_PREFIX and ADD_SUFFIX(path, value): puts text before or after the text at a place.</summary>
internal sealed class AffixAction(string name, TargetArg path, Arg affix, bool prefix) : TransformAction(name)
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = path.Text(ctx);
        var add = affix.Text(ctx);
        path.Set(ctx, JsonValue.Create(prefix ? add + text : text + add));
    }
}

/// <summary>A Go (RE2) pattern compiled for .NET, with its groups numbered as Go numbers them.</summary>
/// <param name="Regex">The compiled pattern; named groups became plain groups so that numbering stays in Go's left-to-right order.</param>
/// <param name="Names">Each group name and its number.</param>
internal sealed record GoRegex(Regex Regex, IReadOnlyDictionary<string, int> Names)
{
    /// <summary>
    /// Compiles a Go pattern. .NET numbers named groups after the unnamed ones while Go numbers all groups left to right,
    /// so names are taken out of the pattern and kept aside. Like RE2, the engine never backtracks.
    /// </summary>
    public static GoRegex Compile(string pattern)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var sb = new StringBuilder(pattern.Length);
        var groups = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                sb.Append(c).Append(pattern[++i]);
            }
            else if (c == '[')
            {
                // Copy a character class whole: a '(' inside it is not a group.
                var end = i + 1;
                if (end < pattern.Length && pattern[end] == '^')
                {
                    end++;
                }

                if (end < pattern.Length && pattern[end] == ']')
                {
                    end++;
                }

                while (end < pattern.Length && pattern[end] != ']')
                {
                    end += pattern[end] == '\\' ? 2 : 1;
                }

                end = Math.Min(end, pattern.Length - 1);
                sb.Append(pattern, i, end - i + 1);
                i = end;
            }
            else if (c == '(' && i + 1 < pattern.Length && pattern[i + 1] == '?')
            {
                var nameStart = pattern.AsSpan(i).StartsWith("(?P<") ? i + 4 : pattern.AsSpan(i).StartsWith("(?<") && i + 3 < pattern.Length && pattern[i + 3] is not ('=' or '!') ? i + 3 : -1;
                var close = nameStart < 0 ? -1 : pattern.IndexOf('>', nameStart);
                if (close < 0)
                {
                    sb.Append(c);
                    continue;
                }

                names[pattern[nameStart..close]] = ++groups;
                sb.Append('(');
                i = close;
            }
            else
            {
                if (c == '(')
                {
                    groups++;
                }

                sb.Append(c);
            }
        }

        return new GoRegex(new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking), names);
    }

    /// <summary>
    /// Translates a Go replacement template to .NET's: $name or ${name} (letters, digits, '_'; all digits is a group number),
    /// $$ for a dollar; a reference to a group the pattern lacks becomes empty; a malformed $ stays a literal dollar.
    /// </summary>
    public string TranslateReplacement(string template)
    {
        var sb = new StringBuilder(template.Length + 8);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '$')
            {
                sb.Append(c);
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '$')
            {
                sb.Append("$$");
                i++;
                continue;
            }

            string? name = null;
            var end = i;
            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                var close = template.IndexOf('}', i + 2);
                if (close > i + 2 && IsName(template.AsSpan(i + 2, close - i - 2)))
                {
                    name = template[(i + 2)..close];
                    end = close;
                }
            }
            else
            {
                var j = i + 1;
                while (j < template.Length && IsNameChar(template[j]))
                {
                    j++;
                }

                if (j > i + 1)
                {
                    name = template[(i + 1)..j];
                    end = j - 1;
                }
            }

            if (name is null)
            {
                sb.Append("$$");
                continue;
            }

            var number = int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : Names.TryGetValue(name, out var named) ? named : -1;
            if (number >= 0 && Array.IndexOf(Regex.GetGroupNumbers(), number) >= 0)
            {
                sb.Append("${").Append(number.ToString(CultureInfo.InvariantCulture)).Append('}');
            }

            i = end;
        }

        return sb.ToString();
    }

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool IsName(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>REPLACE_WITH_REGEX(path, pattern, value): replaces every match; the value may use Go's $1, ${1} and ${name} group references.</summary>
internal sealed class ReplaceWithRegexAction(TargetArg path, GoRegex regex, Arg replacement, string? compiledReplacement) : TransformAction("REPLACE_WITH_REGEX")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = path.Text(ctx);
        var with = compiledReplacement ?? regex.TranslateReplacement(replacement.Text(ctx));
        path.Set(ctx, JsonValue.Create(regex.Regex.Replace(text, with)));
    }
}

/// <summary>REPLACE_STRING(path, old, new): replaces every occurrence of a substring.</summary>
internal sealed class ReplaceStringAction(TargetArg path, Arg oldValue, Arg newValue) : TransformAction("REPLACE_STRING")
{
    /// <summary>Go's strings.ReplaceAll: an empty old value inserts the new one before every character and at the end.</summary>
    public static string ReplaceAll(string text, string old, string with)
    {
        if (old.Length > 0)
        {
            return text.Replace(old, with, StringComparison.Ordinal);
        }

        var sb = new StringBuilder(with);
        foreach (var rune in text.EnumerateRunes())
        {
            sb.Append(rune.ToString()).Append(with);
        }

        return sb.ToString();
    }

    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = path.Text(ctx);
        path.Set(ctx, JsonValue.Create(ReplaceAll(text, oldValue.Text(ctx), newValue.Text(ctx))));
    }
}

/// <summary>REPLACE_BETWEEN_POSITIONS(path, start, end, value): replaces the characters from start (inclusive) to end (exclusive), both below the length.</summary>
internal sealed class ReplaceBetweenPositionsAction(TargetArg path, Arg start, Arg end, Arg value) : TransformAction("REPLACE_BETWEEN_POSITIONS")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = path.Text(ctx);
        var from = start.Integer(ctx);
        var to = end.Integer(ctx);
        var with = value.Text(ctx);
        if (from < 0)
        {
            throw new TransformFailure($"start position {from} must not be negative");
        }

        if (from >= text.Length)
        {
            throw new TransformFailure($"start position {from} must be less than the length of the string ({text.Length})");
        }

        if (to >= text.Length)
        {
            throw new TransformFailure($"end position {to} must be less than the length of the string ({text.Length})");
        }

        if (from >= to)
        {
            throw new TransformFailure($"start position {from} must be less than end position {to}");
        }

        path.Set(ctx, JsonValue.Create(string.Concat(text.AsSpan(0, (int)from), with, text.AsSpan((int)to))));
    }
}

/// <summary>REPLACE_BETWEEN_DELIMITERS(path, start, end, value): replaces the first start delimiter, the text after it and the next end delimiter.</summary>
internal sealed class ReplaceBetweenDelimitersAction(TargetArg path, Arg startDelimiter, Arg endDelimiter, Arg value) : TransformAction("REPLACE_BETWEEN_DELIMITERS")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var text = path.Text(ctx);
        var open = startDelimiter.Text(ctx);
        var close = endDelimiter.Text(ctx);
        var with = value.Text(ctx);
        var (from, _, contentEnd) = Delimiters.Find(text, open, close);
        path.Set(ctx, JsonValue.Create(string.Concat(text.AsSpan(0, from), with, text.AsSpan(contentEnd + close.Length))));
    }
}

/// <summary>CHECK_CUSTOM_VALUES(source, value, target, trueValue, falseValue): writes one of two constants depending on whether the source text contains the value.</summary>
internal sealed class CheckCustomValuesAction(Arg source, Arg custom, TargetArg target, Arg whenTrue, Arg whenFalse) : TransformAction("CHECK_CUSTOM_VALUES")
{
    /// <inheritdoc />
    public override void Execute(TransformContext ctx)
    {
        var found = source.Text(ctx).Contains(custom.Text(ctx), StringComparison.Ordinal);
        var yes = whenTrue.RequireCopy(ctx);
        var no = whenFalse.RequireCopy(ctx);
        target.Set(ctx, found ? yes : no);
    }
}

/// <summary>Finding text between two delimiters, shared by the replace and extract actions.</summary>
internal static class Delimiters
{
    /// <summary>The index of the start delimiter and the bounds of the text between it and the next end delimiter.</summary>
    public static (int Start, int ContentStart, int ContentEnd) Find(string text, string open, string close)
    {
        if (open.Length == 0 || close.Length == 0)
        {
            throw new TransformFailure("the start and end delimiters must not be empty");
        }

        var start = text.IndexOf(open, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new TransformFailure($"the start delimiter '{open}' does not occur in '{text}'");
        }

        var contentStart = start + open.Length;
        var end = text.IndexOf(close, contentStart, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new TransformFailure($"the end delimiter '{close}' does not occur after the start delimiter in '{text}'");
        }

        return (start, contentStart, end);
    }
}
