namespace Vanus.Operators.Sql;

/// <summary>
/// A LIKE pattern compiled once (CESQL 1.0 section 3.4.3): <c>%</c> matches any run of characters, <c>_</c> exactly one,
/// <c>\%</c> and <c>\_</c> the literal characters; a backslash before anything else is itself a literal character.
/// Matching is case-sensitive and allocation-free; common shapes (exact, prefix, suffix, contains) use span search.
/// </summary>
internal sealed class LikePattern
{
    private readonly Shape _shape;
    private readonly Segment[] _segments;
    private readonly string _first;
    private readonly string _last;
    private readonly int _minLength;

    private LikePattern(Shape shape, Segment[] segments)
    {
        _shape = shape;
        _segments = segments;
        _first = segments[0].Text;
        _last = segments[^1].Text;
        _minLength = segments.Sum(s => s.Text.Length);
    }

    private enum Shape : byte
    {
        Exact,
        Prefix,
        Suffix,
        PrefixSuffix,
        Contains,
        General,
    }

    public static LikePattern Compile(string pattern)
    {
        var segments = new List<Segment>();
        var text = new System.Text.StringBuilder();
        var wildcards = new List<int>();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '%' or '_')
            {
                text.Append(pattern[++i]);
            }
            else if (c == '%')
            {
                segments.Add(new Segment(text.ToString(), [.. wildcards]));
                text.Clear();
                wildcards.Clear();
            }
            else if (c == '_')
            {
                wildcards.Add(text.Length);
                text.Append('_');
            }
            else
            {
                text.Append(c);
            }
        }

        segments.Add(new Segment(text.ToString(), [.. wildcards]));
        var all = segments.ToArray();
        var plain = Array.TrueForAll(all, s => s.Wildcards.Length == 0);
        var shape = (all.Length, plain) switch
        {
            (1, true) => Shape.Exact,
            (2, true) when all[1].Text.Length == 0 => Shape.Prefix,
            (2, true) when all[0].Text.Length == 0 => Shape.Suffix,
            (2, true) => Shape.PrefixSuffix,
            (3, true) when all[0].Text.Length == 0 && all[2].Text.Length == 0 => Shape.Contains,
            _ => Shape.General,
        };
        return new LikePattern(shape, all);
    }

    public bool IsMatch(string value)
    {
        var text = value.AsSpan();
        return _shape switch
        {
            Shape.Exact => text.SequenceEqual(_first),
            Shape.Prefix => text.StartsWith(_first, StringComparison.Ordinal),
            Shape.Suffix => text.EndsWith(_last, StringComparison.Ordinal),
            Shape.PrefixSuffix => text.Length >= _minLength && text.StartsWith(_first, StringComparison.Ordinal) && text.EndsWith(_last, StringComparison.Ordinal),
            Shape.Contains => text.Contains(_segments[1].Text, StringComparison.Ordinal),
            _ => MatchGeneral(text),
        };
    }

    // The first segment is anchored at the start, the last at the end (matched backwards, since '_' can take
    // one or two UTF-16 units), and each middle segment at its leftmost place between them: with every '%' free
    // to absorb any run, the leftmost place never rules out a match that a later place would allow.
    private bool MatchGeneral(ReadOnlySpan<char> text)
    {
        if (!_segments[0].MatchForward(text, 0, out var position))
        {
            return false;
        }

        if (_segments.Length == 1)
        {
            return position == text.Length;
        }

        if (!_segments[^1].MatchBackward(text, text.Length, out var suffixStart) || suffixStart < position)
        {
            return false;
        }

        for (var s = 1; s < _segments.Length - 1; s++)
        {
            if (!_segments[s].FindLeftmost(text, position, suffixStart, out position))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Literal characters between two '%'; <see cref="Wildcards"/> lists the indexes in <see cref="Text"/> that are '_' wildcards.</summary>
    private readonly record struct Segment(string Text, int[] Wildcards)
    {
        private bool IsWildcard(int index) => Wildcards.Length != 0 && Array.IndexOf(Wildcards, index) >= 0;

        public bool MatchForward(ReadOnlySpan<char> text, int start, out int end)
        {
            end = start;
            for (var i = 0; i < Text.Length; i++)
            {
                if (end >= text.Length)
                {
                    return false;
                }

                if (IsWildcard(i))
                {
                    end += CesqlText.Width(text, end);
                }
                else if (text[end] == Text[i])
                {
                    end++;
                }
                else
                {
                    return false;
                }
            }

            return true;
        }

        public bool MatchBackward(ReadOnlySpan<char> text, int end, out int start)
        {
            start = end;
            for (var i = Text.Length - 1; i >= 0; i--)
            {
                if (start <= 0)
                {
                    return false;
                }

                if (IsWildcard(i))
                {
                    start -= CesqlText.WidthBefore(text, start);
                }
                else if (text[start - 1] == Text[i])
                {
                    start--;
                }
                else
                {
                    return false;
                }
            }

            return true;
        }

        public bool FindLeftmost(ReadOnlySpan<char> text, int from, int limit, out int end)
        {
            end = from;
            if (Wildcards.Length == 0)
            {
                var index = text[from..limit].IndexOf(Text, StringComparison.Ordinal);
                if (index < 0)
                {
                    return false;
                }

                end = from + index + Text.Length;
                return true;
            }

            for (var start = from; start < limit; start += CesqlText.Width(text, start))
            {
                if (MatchForward(text[..limit], start, out end))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
