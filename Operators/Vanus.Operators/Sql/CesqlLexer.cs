namespace Vanus.Operators.Sql;

/// <summary>
/// Splits CESQL text into tokens as CESQLLexer.g4 does: longest match, keywords before identifiers, keywords
/// case-insensitive, only space, tab, CR and LF as whitespace. A character no rule accepts ends the list with an
/// <see cref="TokenKind.Error"/> token, so the parser reports whichever fault comes first in the text.
/// </summary>
internal static class CesqlLexer
{
    public static List<CesqlToken> Tokenize(string text, out (string Expected, string Found)? error)
    {
        var tokens = new List<CesqlToken>();
        error = null;
        var i = 0;
        while (true)
        {
            while (i < text.Length && text[i] is ' ' or '\t' or '\r' or '\n')
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new CesqlToken(TokenKind.End, text.Length, 0));
                return tokens;
            }

            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            TokenKind kind;
            var length = 1;
            switch (c)
            {
                case '(': kind = TokenKind.LeftParen; break;
                case ')': kind = TokenKind.RightParen; break;
                case ',': kind = TokenKind.Comma; break;
                case '*': kind = TokenKind.Star; break;
                case '/': kind = TokenKind.Slash; break;
                case '%': kind = TokenKind.Percent; break;
                case '+': kind = TokenKind.Plus; break;
                case '-': kind = TokenKind.Minus; break;
                case '=': kind = TokenKind.Equal; break;
                case '!' when next == '=': kind = TokenKind.NotEqual; length = 2; break;
                case '!':
                    tokens.Add(new CesqlToken(TokenKind.Error, i, 1));
                    error = ("'!=' ('!' alone is not an operator)", Describe(text, i, 1));
                    return tokens;
                case '<' when next == '>': kind = TokenKind.LessGreater; length = 2; break;
                case '<' when next == '=': kind = TokenKind.LessOrEqual; length = 2; break;
                case '<': kind = TokenKind.Less; break;
                case '>' when next == '=': kind = TokenKind.GreaterOrEqual; length = 2; break;
                case '>': kind = TokenKind.Greater; break;
                case '\'' or '"':
                    if (!TryReadString(text, i, out var value, out length))
                    {
                        tokens.Add(new CesqlToken(TokenKind.Error, i, text.Length - i));
                        error = ($"a closing {c} for the string literal that starts here", "end of input");
                        return tokens;
                    }

                    tokens.Add(new CesqlToken(TokenKind.String, i, length, value));
                    i += length;
                    continue;
                default:
                    if (char.IsAsciiLetterOrDigit(c))
                    {
                        tokens.Add(ReadWord(text, i));
                        i = tokens[^1].End;
                        continue;
                    }

                    tokens.Add(new CesqlToken(TokenKind.Error, i, 1));
                    error = ("an operator, a literal, an identifier or a parenthesis", Describe(text, i, char.IsSurrogatePair(text, i) ? 2 : 1));
                    return tokens;
            }

            tokens.Add(new CesqlToken(kind, i, length));
            i += length;
        }
    }

    /// <summary>A short quotation of the text at a position for error messages.</summary>
    public static string Describe(string text, int start, int length)
    {
        if (start >= text.Length)
        {
            return "end of input";
        }

        const int max = 24;
        var span = text.AsSpan(start, Math.Min(length, text.Length - start));
        return span.Length > max ? $"'{span[..max]}...'" : $"'{span}'";
    }

    // Both quote styles: a backslash escapes the quote character (the spec's "\'" and '\"'), a doubled quote
    // stands for one (CESQLLexer.g4 accepts it, with SQL's meaning); a backslash before anything else is kept
    // as it is, which is what LIKE patterns rely on for \% and \_.
    private static bool TryReadString(string text, int start, out string value, out int length)
    {
        var quote = text[start];
        var builder = new System.Text.StringBuilder();
        var i = start + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                if (text[i + 1] != quote)
                {
                    builder.Append('\\');
                }

                builder.Append(text[i + 1]);
                i += 2;
            }
            else if (c == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    builder.Append(quote);
                    i += 2;
                    continue;
                }

                value = builder.ToString();
                length = i + 1 - start;
                return true;
            }
            else
            {
                builder.Append(c);
                i++;
            }
        }

        value = "";
        length = 0;
        return false;
    }

    // CESQLLexer.g4's word rules compete by longest match: INTEGER_LITERAL [0-9]+, IDENTIFIER [a-zA-Z]+,
    // IDENTIFIER_WITH_NUMBER [a-zA-Z0-9]+ and FUNCTION_IDENTIFIER_WITH_UNDERSCORE [A-Z][A-Z_]*; on a tie the rule
    // defined first wins, and the keywords are defined before all of them.
    private static CesqlToken ReadWord(string text, int start)
    {
        var alnum = start;
        var hasLetter = false;
        var hasDigit = false;
        while (alnum < text.Length && char.IsAsciiLetterOrDigit(text[alnum]))
        {
            hasLetter |= char.IsAsciiLetter(text[alnum]);
            hasDigit |= char.IsAsciiDigit(text[alnum]);
            alnum++;
        }

        var function = start;
        if (char.IsAsciiLetter(text[start]))
        {
            while (function < text.Length && (char.IsAsciiLetter(text[function]) || text[function] == '_'))
            {
                function++;
            }
        }

        if (function > alnum)
        {
            return new CesqlToken(TokenKind.FunctionIdentifier, start, function - start);
        }

        var length = alnum - start;
        if (!hasLetter)
        {
            return new CesqlToken(TokenKind.Integer, start, length);
        }

        if (hasDigit)
        {
            return new CesqlToken(TokenKind.IdentifierWithNumber, start, length);
        }

        return new CesqlToken(Keyword(text.AsSpan(start, length)), start, length);
    }

    private static TokenKind Keyword(ReadOnlySpan<char> word)
    {
        static bool Is(ReadOnlySpan<char> word, string keyword) => word.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        return word.Length switch
        {
            2 when Is(word, "OR") => TokenKind.Or,
            2 when Is(word, "IN") => TokenKind.In,
            3 when Is(word, "AND") => TokenKind.And,
            3 when Is(word, "XOR") => TokenKind.Xor,
            3 when Is(word, "NOT") => TokenKind.Not,
            4 when Is(word, "LIKE") => TokenKind.Like,
            4 when Is(word, "TRUE") => TokenKind.True,
            5 when Is(word, "FALSE") => TokenKind.False,
            6 when Is(word, "EXISTS") => TokenKind.Exists,
            _ => TokenKind.Identifier,
        };
    }
}
