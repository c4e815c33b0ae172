namespace Vanus.Operators.Sql;

/// <summary>
/// A recursive-descent parser for CESQLParser.g4. Precedence, tightest first, as the grammar orders its
/// alternatives and spec section 3.6 lists them: function calls and atoms; unary NOT and '-'; LIKE; IN;
/// '*' '/' '%'; '+' '-'; comparisons; AND, OR, XOR (one level, right-associative). Binary operators other than
/// the logic ones associate to the left.
/// </summary>
/// <remarks>
/// A sign written directly before digits where an operand is expected is part of the integer literal
/// (<c>-2147483648</c>, <c>+5</c>), as the literal's rule allows; where an operator is expected it is the binary
/// operator, so <c>amount-1</c> subtracts instead of failing on the ANTLR lexer's greedy signed literal.
/// </remarks>
internal sealed class CesqlParser
{
    /// <summary>The deepest nesting accepted; keeps parsing, compiling and evaluating well inside the stack.</summary>
    public const int MaxDepth = 200;

    private const int LikePrecedence = 9;
    private const int InPrecedence = 7;
    private const int MultiplicativePrecedence = 6;
    private const int AdditivePrecedence = 5;
    private const int ComparisonPrecedence = 4;
    private const int LogicPrecedence = 3;

    private readonly string _text;
    private readonly List<CesqlToken> _tokens;
    private readonly (string Expected, string Found)? _lexError;
    private int _index;
    private int _nesting;

    private CesqlParser(string text)
    {
        _text = text;
        _tokens = CesqlLexer.Tokenize(text, out _lexError);
    }

    private CesqlToken Current => _tokens[_index];

    /// <summary>Parses a whole expression or throws <see cref="CesqlParseException"/> at the first fault.</summary>
    public static CesqlNode Parse(string text)
    {
        var parser = new CesqlParser(text);
        var node = parser.ParseExpression(0);
        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Error(parser.Current, "an operator or the end of the expression");
        }

        return node;
    }

    private CesqlToken Peek(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private CesqlToken Advance() => _tokens[_index++];

    private CesqlNode ParseExpression(int minPrecedence)
    {
        var left = ParseUnary();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Not:
                    var after = Peek(1);
                    var precedence = after.Kind switch
                    {
                        TokenKind.Like => LikePrecedence,
                        TokenKind.In => InPrecedence,
                        _ => throw Error(after, "LIKE or IN after NOT"),
                    };
                    if (precedence < minPrecedence)
                    {
                        return left;
                    }

                    Advance();
                    left = after.Kind == TokenKind.Like ? ParseLike(left, token.Start, negated: true) : ParseIn(left, token.Start, negated: true);
                    break;
                case TokenKind.Like when LikePrecedence >= minPrecedence:
                    left = ParseLike(left, token.Start, negated: false);
                    break;
                case TokenKind.In when InPrecedence >= minPrecedence:
                    left = ParseIn(left, token.Start, negated: false);
                    break;
                case TokenKind.Star or TokenKind.Slash or TokenKind.Percent when MultiplicativePrecedence >= minPrecedence:
                    left = ParseBinary(left, MultiplicativePrecedence);
                    break;
                case TokenKind.Plus or TokenKind.Minus when AdditivePrecedence >= minPrecedence:
                    left = ParseBinary(left, AdditivePrecedence);
                    break;
                case TokenKind.Equal or TokenKind.NotEqual or TokenKind.LessGreater or TokenKind.Less or TokenKind.LessOrEqual
                    or TokenKind.Greater or TokenKind.GreaterOrEqual when ComparisonPrecedence >= minPrecedence:
                    left = ParseBinary(left, ComparisonPrecedence);
                    break;
                case TokenKind.And or TokenKind.Or or TokenKind.Xor when LogicPrecedence >= minPrecedence:
                    left = ParseLogicChain(left);
                    break;
                default:
                    return left;
            }

            CheckDepth(left, token);
        }
    }

    private BinaryNode ParseBinary(CesqlNode left, int precedence)
    {
        var token = Advance();
        var right = ParseExpression(precedence + 1);
        var (op, symbol) = token.Kind switch
        {
            TokenKind.Star => (BinaryOperator.Multiply, "*"),
            TokenKind.Slash => (BinaryOperator.Divide, "/"),
            TokenKind.Percent => (BinaryOperator.Modulo, "%"),
            TokenKind.Plus => (BinaryOperator.Add, "+"),
            TokenKind.Minus => (BinaryOperator.Subtract, "-"),
            TokenKind.Equal => (BinaryOperator.Equal, "="),
            TokenKind.NotEqual => (BinaryOperator.NotEqual, "!="),
            TokenKind.LessGreater => (BinaryOperator.NotEqual, "<>"),
            TokenKind.Less => (BinaryOperator.Less, "<"),
            TokenKind.LessOrEqual => (BinaryOperator.LessOrEqual, "<="),
            TokenKind.Greater => (BinaryOperator.Greater, ">"),
            _ => (BinaryOperator.GreaterOrEqual, ">="),
        };
        return new BinaryNode(op, symbol, left, right, token.Start);
    }

    // Right associativity only decides the tree's shape; a flat list evaluated left to right with the same
    // short-circuits gives the same values and errors, without a recursion per operator.
    private LogicChainNode ParseLogicChain(CesqlNode first)
    {
        var operands = new List<CesqlNode> { first };
        var operators = new List<LogicOperator>();
        var positions = new List<int>();
        while (Current.Kind is TokenKind.And or TokenKind.Or or TokenKind.Xor)
        {
            var token = Advance();
            operators.Add(token.Kind switch
            {
                TokenKind.And => LogicOperator.And,
                TokenKind.Or => LogicOperator.Or,
                _ => LogicOperator.Xor,
            });
            positions.Add(token.Start);
            operands.Add(ParseExpression(LogicPrecedence + 1));
        }

        return new LogicChainNode([.. operands], [.. operators], [.. positions]);
    }

    private LikeNode ParseLike(CesqlNode operand, int position, bool negated)
    {
        Advance();
        var pattern = Current;
        if (pattern.Kind != TokenKind.String)
        {
            throw Error(pattern, "a string literal (the LIKE pattern)");
        }

        Advance();
        return new LikeNode(operand, pattern.Value!, negated, position);
    }

    private InNode ParseIn(CesqlNode operand, int position, bool negated)
    {
        Advance();
        Expect(TokenKind.LeftParen, "'(' to open the IN set");
        if (Current.Kind == TokenKind.RightParen)
        {
            throw Error(Current, "an expression (an IN set must not be empty)");
        }

        var set = new List<CesqlNode>();
        do
        {
            set.Add(ParseExpression(0));
        }
        while (Accept(TokenKind.Comma));

        Expect(TokenKind.RightParen, "',' or ')' to close the IN set");
        return new InNode(operand, [.. set], negated, position);
    }

    private CesqlNode ParseUnary()
    {
        var token = Current;
        if (++_nesting > MaxDepth)
        {
            throw Error(token, $"at most {MaxDepth} levels of nesting");
        }

        CesqlNode node;
        switch (token.Kind)
        {
            case TokenKind.Not:
                Advance();
                node = new UnaryNode(UnaryOperator.Not, ParseUnary(), token.Start);
                break;
            case TokenKind.Minus or TokenKind.Plus when Peek(1) is { Kind: TokenKind.Integer } digits && digits.Start == token.End:
                Advance();
                Advance();
                node = IntegerLiteral(token.Start, digits.End, token.Kind == TokenKind.Minus);
                break;
            case TokenKind.Minus:
                Advance();
                node = new UnaryNode(UnaryOperator.Negate, ParseUnary(), token.Start);
                break;
            default:
                node = ParsePrimary();
                break;
        }

        _nesting--;
        return node;
    }

    private CesqlNode ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.LeftParen:
                Advance();
                var inner = ParseExpression(0);
                Expect(TokenKind.RightParen, $"')' to close the '(' at position {token.Start}");
                return inner;
            case TokenKind.True or TokenKind.False:
                Advance();
                return new LiteralNode(CesqlValue.FromBoolean(token.Kind == TokenKind.True), token.Start);
            case TokenKind.String:
                Advance();
                return new LiteralNode(CesqlValue.FromString(token.Value!), token.Start);
            case TokenKind.Integer:
                Advance();
                return IntegerLiteral(token.Start, token.End, negative: false);
            case TokenKind.Exists:
                Advance();
                var name = Current;
                if (name.Kind is not (TokenKind.Identifier or TokenKind.IdentifierWithNumber))
                {
                    throw Error(name, "an attribute name after EXISTS");
                }

                Advance();
                return new ExistsNode(AttributeName(name), token.Start);
            case TokenKind.Identifier when Peek(1).Kind == TokenKind.LeftParen:
                return ParseCall();
            case TokenKind.Identifier or TokenKind.IdentifierWithNumber:
                Advance();
                return new IdentifierNode(AttributeName(token), token.Start);
            case TokenKind.FunctionIdentifier:
                if (Peek(1).Kind != TokenKind.LeftParen)
                {
                    throw Error(Peek(1), $"'(' after the function name {_text.Substring(token.Start, token.Length)}");
                }

                return ParseCall();
            default:
                throw Error(token, "an expression");
        }
    }

    private CallNode ParseCall()
    {
        var nameToken = Advance();
        var name = _text.Substring(nameToken.Start, nameToken.Length).ToUpperInvariant();
        Advance();
        var arguments = new List<CesqlNode>();
        if (!Accept(TokenKind.RightParen))
        {
            do
            {
                arguments.Add(ParseExpression(0));
            }
            while (Accept(TokenKind.Comma));

            Expect(TokenKind.RightParen, $"',' or ')' to close the arguments of {name}");
        }

        return new CallNode(name, [.. arguments], nameToken.Start);
    }

    private LiteralNode IntegerLiteral(int start, int end, bool negative)
    {
        // Accumulate in a long and stop early: a literal of any length must not overflow silently.
        long value = 0;
        var digitsStart = char.IsAsciiDigit(_text[start]) ? start : start + 1;
        for (var i = digitsStart; i < end && value <= (long)int.MaxValue + 1; i++)
        {
            value = (value * 10) + (_text[i] - '0');
        }

        value = negative ? -value : value;
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw new CesqlParseException(_text, start, "an integer literal between -2147483648 and 2147483647", CesqlLexer.Describe(_text, start, end - start));
        }

        return new LiteralNode(CesqlValue.FromInteger((int)value), start);
    }

    private string AttributeName(CesqlToken token) => _text.Substring(token.Start, token.Length).ToLowerInvariant();

    private bool Accept(TokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        Advance();
        return true;
    }

    private void Expect(TokenKind kind, string expected)
    {
        if (!Accept(kind))
        {
            throw Error(Current, expected);
        }
    }

    private void CheckDepth(CesqlNode node, CesqlToken at)
    {
        if (node.Depth > MaxDepth)
        {
            throw Error(at, $"at most {MaxDepth} levels of nesting");
        }
    }

    private CesqlParseException Error(CesqlToken token, string expected)
    {
        if (token.Kind == TokenKind.Error && _lexError is { } lex)
        {
            return new CesqlParseException(_text, token.Start, lex.Expected, lex.Found);
        }

        var found = token.Kind == TokenKind.End ? "end of input" : CesqlLexer.Describe(_text, token.Start, token.Length);
        return new CesqlParseException(_text, token.Start, expected, found);
    }
}
