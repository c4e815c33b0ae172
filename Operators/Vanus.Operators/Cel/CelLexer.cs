using System.Globalization;
using System.Text;

namespace Vanus.Operators.Cel;

internal enum TokenKind : byte
{
    End,
    Ident,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    DataVariable,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Dot,
    Comma,
    Colon,
    Question,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    EqualEqual,
    NotEqual,
    AndAnd,
    OrOr,
    In,
    True,
    False,
    Null,
}

/// <summary>One lexical token; <see cref="Text"/> is the identifier, the literal's source digits, or the decoded string.</summary>
internal readonly record struct Token(TokenKind Kind, int Offset, int Length, string? Text = null, byte[]? Bytes = null);

/// <summary>The lexis of cel-spec's langdef: identifiers, int/uint/double literals, (raw, triple-quoted, bytes) strings with escapes, operators, comments.</summary>
internal sealed class CelLexer(string source)
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    };

    private int _pos;

    public List<Token> Tokenize()
    {
        var tokens = new List<Token>();
        while (true)
        {
            var token = Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.End)
            {
                return tokens;
            }
        }
    }

    private Token Next()
    {
        SkipSpaceAndComments();
        if (_pos >= source.Length)
        {
            return new Token(TokenKind.End, source.Length, 0);
        }

        var start = _pos;
        var c = source[_pos];
        if (c == '$')
        {
            return DataVariable();
        }

        if (IsIdentStart(c))
        {
            // String and bytes prefixes: r, R, b, B and their pairs, directly followed by a quote.
            var prefixEnd = _pos;
            while (prefixEnd < source.Length && prefixEnd - _pos < 2 && source[prefixEnd] is 'r' or 'R' or 'b' or 'B')
            {
                prefixEnd++;
            }

            for (var p = _pos + 1; p <= prefixEnd; p++)
            {
                if (p < source.Length && source[p] is '"' or '\'' && IsStringPrefix(source.AsSpan(_pos, p - _pos)))
                {
                    var prefix = source.AsSpan(_pos, p - _pos);
                    var raw = prefix.Contains('r') || prefix.Contains('R');
                    var bytes = prefix.Contains('b') || prefix.Contains('B');
                    _pos = p;
                    return StringLiteral(start, raw, bytes);
                }
            }

            while (_pos < source.Length && IsIdentPart(source[_pos]))
            {
                _pos++;
            }

            var word = source[start.._pos];
            switch (word)
            {
                case "true": return new Token(TokenKind.True, start, word.Length);
                case "false": return new Token(TokenKind.False, start, word.Length);
                case "null": return new Token(TokenKind.Null, start, word.Length);
                case "in": return new Token(TokenKind.In, start, word.Length);
            }

            if (Reserved.Contains(word))
            {
                throw Error(start, $"'{word}' is a reserved word and cannot be used as an identifier");
            }

            return new Token(TokenKind.Ident, start, word.Length, word);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < source.Length && char.IsAsciiDigit(source[_pos + 1])))
        {
            return Number();
        }

        if (c is '"' or '\'')
        {
            return StringLiteral(start, raw: false, bytes: false);
        }

        _pos++;
        var next = _pos < source.Length ? source[_pos] : '\0';
        switch (c)
        {
            case '(': return new Token(TokenKind.LParen, start, 1);
            case ')': return new Token(TokenKind.RParen, start, 1);
            case '[': return new Token(TokenKind.LBracket, start, 1);
            case ']': return new Token(TokenKind.RBracket, start, 1);
            case '{': return new Token(TokenKind.LBrace, start, 1);
            case '}': return new Token(TokenKind.RBrace, start, 1);
            case '.': return new Token(TokenKind.Dot, start, 1);
            case ',': return new Token(TokenKind.Comma, start, 1);
            case ':': return new Token(TokenKind.Colon, start, 1);
            case '?': return new Token(TokenKind.Question, start, 1);
            case '+': return new Token(TokenKind.Plus, start, 1);
            case '-': return new Token(TokenKind.Minus, start, 1);
            case '*': return new Token(TokenKind.Star, start, 1);
            case '/': return new Token(TokenKind.Slash, start, 1);
            case '%': return new Token(TokenKind.Percent, start, 1);
            case '!' when next == '=': _pos++; return new Token(TokenKind.NotEqual, start, 2);
            case '!': return new Token(TokenKind.Bang, start, 1);
            case '<' when next == '=': _pos++; return new Token(TokenKind.LessEqual, start, 2);
            case '<': return new Token(TokenKind.Less, start, 1);
            case '>' when next == '=': _pos++; return new Token(TokenKind.GreaterEqual, start, 2);
            case '>': return new Token(TokenKind.Greater, start, 1);
            case '=' when next == '=': _pos++; return new Token(TokenKind.EqualEqual, start, 2);
            case '&' when next == '&': _pos++; return new Token(TokenKind.AndAnd, start, 2);
            case '|' when next == '|': _pos++; return new Token(TokenKind.OrOr, start, 2);
            case '=': throw Error(start, "unexpected '='; equality is written '=='");
            case '&': throw Error(start, "unexpected '&'; logical and is written '&&'");
            case '|': throw Error(start, "unexpected '|'; logical or is written '||'");
            default: throw Error(start, $"unexpected character '{c}'");
        }
    }

    private static bool IsStringPrefix(ReadOnlySpan<char> prefix) =>
        prefix.Length switch
        {
            1 => true,
            2 => char.ToLowerInvariant(prefix[0]) != char.ToLowerInvariant(prefix[1]),
            _ => false,
        };

    private void SkipSpaceAndComments()
    {
        while (_pos < source.Length)
        {
            var c = source[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < source.Length && source[_pos + 1] == '/')
            {
                while (_pos < source.Length && source[_pos] is not ('\n' or '\r'))
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Vanus's data variable: <c>$path.(type)</c>, the path running up to the first <c>.(</c>.</summary>
    private Token DataVariable()
    {
        var start = _pos;
        var open = source.IndexOf(".(", start, StringComparison.Ordinal);
        if (open < 0)
        {
            throw Error(start, "a data variable is written $path.(type), for example $order.amount.(int64)");
        }

        var close = source.IndexOf(')', open);
        if (close < 0)
        {
            throw Error(open, "the data variable's type is not closed with ')'");
        }

        var path = source[(start + 1)..open];
        var type = source[(open + 2)..close].Trim();
        if (path.Length == 0)
        {
            throw Error(start, "the data variable has no path: write $path.(type)");
        }

        if (path.AsSpan().IndexOfAny(" \t\r\n") >= 0)
        {
            throw Error(start, $"the data variable path '{path}' contains white space");
        }

        _pos = close + 1;
        return new Token(TokenKind.DataVariable, start, _pos - start, path + "\0" + type);
    }

    private Token Number()
    {
        var start = _pos;
        if (source[_pos] == '0' && _pos + 1 < source.Length && source[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            var digitsStart = _pos;
            while (_pos < source.Length && char.IsAsciiHexDigit(source[_pos]))
            {
                _pos++;
            }

            if (_pos == digitsStart)
            {
                throw Error(start, "hexadecimal literal without digits");
            }

            return IntegerSuffix(start, source[digitsStart.._pos], hex: true);
        }

        while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
        {
            _pos++;
        }

        var isDouble = false;
        if (_pos + 1 < source.Length && source[_pos] == '.' && char.IsAsciiDigit(source[_pos + 1]))
        {
            isDouble = true;
            _pos++;
            while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                _pos++;
            }
        }

        if (_pos < source.Length && source[_pos] is 'e' or 'E')
        {
            var save = _pos;
            _pos++;
            if (_pos < source.Length && source[_pos] is '+' or '-')
            {
                _pos++;
            }

            if (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                isDouble = true;
                while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = save;
            }
        }

        if (isDouble)
        {
            CheckNumberEnd(start);
            return new Token(TokenKind.Double, start, _pos - start, source[start.._pos]);
        }

        return IntegerSuffix(start, source[start.._pos], hex: false);
    }

    private Token IntegerSuffix(int start, string digits, bool hex)
    {
        var kind = TokenKind.Int;
        if (_pos < source.Length && source[_pos] is 'u' or 'U')
        {
            _pos++;
            kind = TokenKind.Uint;
        }

        CheckNumberEnd(start);
        return new Token(kind, start, _pos - start, hex ? "0x" + digits : digits);
    }

    private void CheckNumberEnd(int start)
    {
        if (_pos < source.Length && IsIdentPart(source[_pos]))
        {
            throw Error(start, $"malformed number '{source[start..(_pos + 1)]}'");
        }
    }

    private Token StringLiteral(int start, bool raw, bool bytes)
    {
        var quote = source[_pos];
        var triple = _pos + 2 < source.Length && source[_pos + 1] == quote && source[_pos + 2] == quote;
        _pos += triple ? 3 : 1;
        var text = new StringBuilder();
        var octets = bytes ? new List<byte>() : null;
        while (true)
        {
            if (_pos >= source.Length)
            {
                throw Error(start, "unterminated string literal");
            }

            var c = source[_pos];
            if (triple)
            {
                if (c == quote && _pos + 2 < source.Length && source[_pos + 1] == quote && source[_pos + 2] == quote)
                {
                    _pos += 3;
                    break;
                }
            }
            else if (c == quote)
            {
                _pos++;
                break;
            }
            else if (c is '\n' or '\r')
            {
                throw Error(start, "newline in a string literal; use a triple-quoted string for text over several lines");
            }

            if (c == '\\' && !raw)
            {
                Escape(text, octets);
                continue;
            }

            if (char.IsHighSurrogate(c) && _pos + 1 < source.Length && char.IsLowSurrogate(source[_pos + 1]))
            {
                Append(text, octets, char.ConvertToUtf32(c, source[_pos + 1]));
                _pos += 2;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                throw Error(_pos, "the string contains an unpaired UTF-16 surrogate");
            }

            Append(text, octets, c);
            _pos++;
        }

        return bytes
            ? new Token(TokenKind.Bytes, start, _pos - start, Bytes: [.. octets!])
            : new Token(TokenKind.String, start, _pos - start, text.ToString());
    }

    private void Escape(StringBuilder text, List<byte>? octets)
    {
        var at = _pos;
        _pos++;
        if (_pos >= source.Length)
        {
            throw Error(at, "unterminated escape sequence");
        }

        var c = source[_pos++];
        switch (c)
        {
            case '\\': Append(text, octets, '\\'); return;
            case '?': Append(text, octets, '?'); return;
            case '"': Append(text, octets, '"'); return;
            case '\'': Append(text, octets, '\''); return;
            case '`': Append(text, octets, '`'); return;
            case 'a': Append(text, octets, 7); return;
            case 'b': Append(text, octets, 8); return;
            case 'f': Append(text, octets, 12); return;
            case 'n': Append(text, octets, 10); return;
            case 'r': Append(text, octets, 13); return;
            case 't': Append(text, octets, 9); return;
            case 'v': Append(text, octets, 11); return;
            case 'x' or 'X':
                var hex = Hex(at, 2);
                if (octets is not null)
                {
                    octets.Add((byte)hex);
                }
                else
                {
                    Append(text, null, hex);
                }

                return;
            case 'u':
                Append(text, octets, CodePoint(at, Hex(at, 4)));
                return;
            case 'U':
                Append(text, octets, CodePoint(at, Hex(at, 8)));
                return;
            case >= '0' and <= '3':
                if (_pos + 1 < source.Length && source[_pos] is >= '0' and <= '7' && source[_pos + 1] is >= '0' and <= '7')
                {
                    var value = ((c - '0') * 64) + ((source[_pos] - '0') * 8) + (source[_pos + 1] - '0');
                    _pos += 2;
                    if (octets is not null)
                    {
                        octets.Add((byte)value);
                    }
                    else
                    {
                        Append(text, null, value);
                    }

                    return;
                }

                throw Error(at, "an octal escape takes three digits, \\000 to \\377");
            case >= '4' and <= '7':
                throw Error(at, "an octal escape takes three digits, \\000 to \\377");
            default:
                throw Error(at, $"invalid escape sequence '\\{c}'");
        }
    }

    private int CodePoint(int at, int value) =>
        value is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF) ? throw Error(at, $"escape names an invalid Unicode code point U+{value:X}") : value;

    private int Hex(int at, int count)
    {
        if (_pos + count > source.Length || !IsHex(source.AsSpan(_pos, count))
            || !int.TryParse(source.AsSpan(_pos, count), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(at, $"escape needs {count} hexadecimal digits");
        }

        _pos += count;
        return value;
    }

    private static bool IsHex(ReadOnlySpan<char> digits)
    {
        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void Append(StringBuilder text, List<byte>? octets, int codePoint)
    {
        if (octets is null)
        {
            text.Append(char.ConvertFromUtf32(codePoint));
            return;
        }

        Span<byte> buffer = stackalloc byte[4];
        var written = new Rune(codePoint).EncodeToUtf8(buffer);
        for (var i = 0; i < written; i++)
        {
            octets.Add(buffer[i]);
        }
    }

    private CelParseException Error(int offset, string message) => CelParseException.At(source, offset, message);

    internal static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_';

    internal static bool IsIdentPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
