using System.Globalization;

namespace Vanus.Operators.Cel;

/// <summary>
/// A recursive-descent parser for the grammar of cel-spec's langdef, expanding the standard macros (<c>has</c>,
/// <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>, <c>filter</c>) as it goes.
/// </summary>
internal sealed class CelParser
{
    // Far above the 32 levels CEL requires, and low enough that recursion cannot exhaust the stack.
    private const int MaxDepth = 200;

    private readonly string _source;
    private readonly List<Token> _tokens;
    private int _index;
    private int _depth;

    private CelParser(string source)
    {
        _source = source;
        _tokens = new CelLexer(source).Tokenize();
    }

    public static CelNode Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var parser = new CelParser(source);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw CelParseException.At(source, 0, "the expression is empty");
        }

        var node = parser.Expr();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw parser.Unexpected("an operator or the end of the expression");
        }

        return node;
    }

    private Token Peek => _tokens[_index];

    private Token Advance() => _tokens[_index++];

    private bool Accept(TokenKind kind)
    {
        if (Peek.Kind != kind)
        {
            return false;
        }

        _index++;
        return true;
    }

    private Token Expect(TokenKind kind, string what) => Peek.Kind == kind ? Advance() : throw Unexpected(what);

    private CelParseException Unexpected(string expected)
    {
        var token = Peek;
        var found = token.Kind == TokenKind.End ? "the end of the expression" : $"'{_source.Substring(token.Offset, token.Length)}'";
        return CelParseException.At(_source, token.Offset, $"expected {expected} but found {found}");
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw CelParseException.At(_source, Peek.Offset, $"the expression nests deeper than {MaxDepth} levels");
        }
    }

    // Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
    private CelNode Expr()
    {
        Enter();
        var condition = Or();
        if (Peek.Kind == TokenKind.Question)
        {
            var at = Advance().Offset;
            var then = Or();
            Expect(TokenKind.Colon, "':' of the conditional");
            var otherwise = Expr();
            condition = new CallNode(at, "_?_:_", null, [condition, then, otherwise]);
        }

        _depth--;
        return condition;
    }

    private CelNode Or()
    {
        var left = And();
        var chain = _depth;
        while (Peek.Kind == TokenKind.OrOr)
        {
            Enter();
            var at = Advance().Offset;
            left = new CallNode(at, "_||_", null, [left, And()]);
        }

        _depth = chain;
        return left;
    }

    private CelNode And()
    {
        var left = Relation();
        var chain = _depth;
        while (Peek.Kind == TokenKind.AndAnd)
        {
            Enter();
            var at = Advance().Offset;
            left = new CallNode(at, "_&&_", null, [left, Relation()]);
        }

        _depth = chain;
        return left;
    }

    private CelNode Relation()
    {
        var left = Addition();
        var chain = _depth;
        while (true)
        {
            var function = Peek.Kind switch
            {
                TokenKind.Less => "_<_",
                TokenKind.LessEqual => "_<=_",
                TokenKind.Greater => "_>_",
                TokenKind.GreaterEqual => "_>=_",
                TokenKind.EqualEqual => "_==_",
                TokenKind.NotEqual => "_!=_",
                TokenKind.In => "@in",
                _ => null,
            };
            if (function is null)
            {
                _depth = chain;
                return left;
            }

            Enter();
            var at = Advance().Offset;
            left = new CallNode(at, function, null, [left, Addition()]);
        }
    }

    private CelNode Addition()
    {
        var left = Multiplication();
        var chain = _depth;
        while (Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            Enter();
            var token = Advance();
            left = new CallNode(token.Offset, token.Kind == TokenKind.Plus ? "_+_" : "_-_", null, [left, Multiplication()]);
        }

        _depth = chain;
        return left;
    }

    private CelNode Multiplication()
    {
        var left = Unary();
        var chain = _depth;
        while (Peek.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            Enter();
            var token = Advance();
            var function = token.Kind switch
            {
                TokenKind.Star => "_*_",
                TokenKind.Slash => "_/_",
                _ => "_%_",
            };
            left = new CallNode(token.Offset, function, null, [left, Unary()]);
        }

        _depth = chain;
        return left;
    }

    // Unary = Member | "!" {"!"} Member | "-" {"-"} Member
    private CelNode Unary()
    {
        if (Peek.Kind == TokenKind.Bang)
        {
            var offsets = new List<int>();
            var chain = _depth;
            while (Peek.Kind == TokenKind.Bang)
            {
                Enter();
                offsets.Add(Advance().Offset);
            }

            var operand = Member();
            for (var i = offsets.Count - 1; i >= 0; i--)
            {
                operand = new CallNode(offsets[i], "!_", null, [operand]);
            }

            _depth = chain;
            return operand;
        }

        if (Peek.Kind == TokenKind.Minus)
        {
            var offsets = new List<int>();
            var chain = _depth;
            while (Peek.Kind == TokenKind.Minus)
            {
                Enter();
                offsets.Add(Advance().Offset);
            }

            // The innermost minus folds into a numeric literal, so -9223372036854775808 is a valid int literal.
            CelNode operand;
            var literal = Peek;
            if (literal.Kind is TokenKind.Int or TokenKind.Double && !IsMemberSuffix(_tokens[_index + 1].Kind))
            {
                Advance();
                operand = NumberLiteral(literal, negate: true);
                offsets.RemoveAt(offsets.Count - 1);
            }
            else
            {
                operand = Member();
            }

            for (var i = offsets.Count - 1; i >= 0; i--)
            {
                operand = new CallNode(offsets[i], "-_", null, [operand]);
            }

            _depth = chain;
            return operand;
        }

        return Member();
    }

    private static bool IsMemberSuffix(TokenKind kind) => kind is TokenKind.Dot or TokenKind.LBracket or TokenKind.LBrace or TokenKind.LParen;

    // Member = Primary | Member "." IDENT ["(" [ExprList] ")"] | Member "[" Expr "]" | Member "{" [FieldInits] "}"
    private CelNode Member()
    {
        var node = Primary();
        var chain = _depth;
        while (true)
        {
            if (IsMemberSuffix(Peek.Kind) && Peek.Kind != TokenKind.LParen)
            {
                Enter();
            }

            switch (Peek.Kind)
            {
                case TokenKind.Dot:
                    Advance();
                    var name = Expect(TokenKind.Ident, "a field or method name after '.'");
                    if (Accept(TokenKind.LParen))
                    {
                        var args = ExprList(TokenKind.RParen);
                        node = Receiver(node, name, args);
                    }
                    else
                    {
                        node = new SelectNode(name.Offset, node, name.Text!, testOnly: false);
                    }

                    break;
                case TokenKind.LBracket:
                    var at = Advance().Offset;
                    Enter();
                    var index = Expr();
                    _depth--;
                    Expect(TokenKind.RBracket, "']'");
                    node = new CallNode(at, "_[_]", null, [node, index]);
                    break;
                case TokenKind.LBrace when QualifiedName(node) is { } typeName:
                    var braceAt = Advance().Offset;
                    SkipFieldInits();
                    node = new MessageNode(braceAt, typeName);
                    break;
                default:
                    _depth = chain;
                    return node;
            }
        }
    }

    private void SkipFieldInits()
    {
        if (Accept(TokenKind.RBrace))
        {
            return;
        }

        do
        {
            Expect(TokenKind.Ident, "a field name");
            Expect(TokenKind.Colon, "':' after the field name");
            Enter();
            Expr();
            _depth--;
        }
        while (Accept(TokenKind.Comma) && Peek.Kind != TokenKind.RBrace);

        Expect(TokenKind.RBrace, "'}' closing the message");
    }

    private static string? QualifiedName(CelNode node) => node switch
    {
        IdentNode ident => ident.Name,
        SelectNode { TestOnly: false } select when QualifiedName(select.Operand) is { } prefix => prefix + "." + select.Field,
        _ => null,
    };

    private CelNode Primary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Dot:
                Advance();
                var rooted = Expect(TokenKind.Ident, "an identifier after a leading '.'");
                if (Accept(TokenKind.LParen))
                {
                    return Global(rooted.Offset, "." + rooted.Text, ExprList(TokenKind.RParen));
                }

                return new IdentNode(rooted.Offset, "." + rooted.Text);
            case TokenKind.Ident:
                Advance();
                if (Accept(TokenKind.LParen))
                {
                    return Global(token.Offset, token.Text!, ExprList(TokenKind.RParen));
                }

                return new IdentNode(token.Offset, token.Text!);
            case TokenKind.LParen:
                Advance();
                Enter();
                var inner = Expr();
                _depth--;
                Expect(TokenKind.RParen, "')'");
                return inner;
            case TokenKind.LBracket:
                Advance();
                return new ListNode(token.Offset, ExprList(TokenKind.RBracket));
            case TokenKind.LBrace:
                Advance();
                return MapLiteral(token.Offset);
            case TokenKind.Int:
            case TokenKind.Uint:
            case TokenKind.Double:
                Advance();
                return NumberLiteral(token, negate: false);
            case TokenKind.String:
                Advance();
                return new LiteralNode(token.Offset, CelValue.String(token.Text!));
            case TokenKind.Bytes:
                Advance();
                return new LiteralNode(token.Offset, CelValue.Bytes(token.Bytes!));
            case TokenKind.True:
                Advance();
                return new LiteralNode(token.Offset, CelValue.True);
            case TokenKind.False:
                Advance();
                return new LiteralNode(token.Offset, CelValue.False);
            case TokenKind.Null:
                Advance();
                return new LiteralNode(token.Offset, CelValue.Null);
            case TokenKind.DataVariable:
                Advance();
                var parts = token.Text!.Split('\0');
                return new DataVariableNode(token.Offset, _source.Substring(token.Offset, token.Length), parts[0], parts[1]);
            default:
                throw Unexpected("an operand (a literal, an identifier, '(', '[' or '{')");
        }
    }

    private MapNode MapLiteral(int offset)
    {
        var keys = new List<CelNode>();
        var values = new List<CelNode>();
        if (!Accept(TokenKind.RBrace))
        {
            Enter();
            do
            {
                if (Peek.Kind == TokenKind.RBrace)
                {
                    break;
                }

                keys.Add(Expr());
                Expect(TokenKind.Colon, "':' between a map key and its value");
                values.Add(Expr());
            }
            while (Accept(TokenKind.Comma));

            _depth--;
            Expect(TokenKind.RBrace, "',' or '}' in the map literal");
        }

        return new MapNode(offset, [.. keys], [.. values]);
    }

    private CelNode[] ExprList(TokenKind close)
    {
        var items = new List<CelNode>();
        if (Accept(close))
        {
            return [];
        }

        Enter();
        do
        {
            if (close == TokenKind.RBracket && Peek.Kind == close)
            {
                break;
            }

            items.Add(Expr());
        }
        while (Accept(TokenKind.Comma));

        _depth--;
        Expect(close, close == TokenKind.RParen ? "',' or ')' in the argument list" : "',' or ']' in the list");
        return [.. items];
    }

    private LiteralNode NumberLiteral(Token token, bool negate)
    {
        var text = token.Text!;
        switch (token.Kind)
        {
            case TokenKind.Double:
                var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                return new LiteralNode(token.Offset, CelValue.Double(negate ? -d : d));
            case TokenKind.Uint:
                if (!TryParseUnsigned(text, out var u))
                {
                    throw CelParseException.At(_source, token.Offset, $"uint literal {text}u is out of range (0 to 18446744073709551615)");
                }

                return new LiteralNode(token.Offset, CelValue.Uint(u));
            default:
                if (!TryParseUnsigned(text, out var magnitude) || magnitude > (negate ? 9223372036854775808UL : long.MaxValue))
                {
                    throw CelParseException.At(_source, token.Offset, $"int literal {(negate ? "-" : "")}{text} is out of range (-9223372036854775808 to 9223372036854775807)");
                }

                var value = negate ? unchecked(-(long)magnitude) : (long)magnitude;
                return new LiteralNode(token.Offset, CelValue.Int(value));
        }
    }

    private static bool TryParseUnsigned(string text, out ulong value) =>
        text.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private CelNode Global(int offset, string function, CelNode[] args)
    {
        if (function == "has")
        {
            if (args.Length != 1 || args[0] is not SelectNode { TestOnly: false } select)
            {
                throw CelParseException.At(_source, offset, "has() takes one field selection, for example has(m.f)");
            }

            return new SelectNode(select.Offset, select.Operand, select.Field, testOnly: true);
        }

        return new CallNode(offset, function, null, args);
    }

    private CelNode Receiver(CelNode target, Token name, CelNode[] args)
    {
        var kind = name.Text switch
        {
            "all" when args.Length == 2 => MacroKind.All,
            "exists" when args.Length == 2 => MacroKind.Exists,
            "exists_one" when args.Length == 2 => MacroKind.ExistsOne,
            "map" when args.Length is 2 or 3 => MacroKind.Map,
            "filter" when args.Length == 2 => MacroKind.Filter,
            _ => (MacroKind?)null,
        };
        if (kind is not { } macro)
        {
            return new CallNode(name.Offset, name.Text!, target, args);
        }

        if (args[0] is not IdentNode { Name: var variable } || variable.StartsWith('.'))
        {
            throw CelParseException.At(_source, args[0].Offset, $"the first argument of {name.Text}() must be a simple variable name");
        }

        return args.Length == 3
            ? new ComprehensionNode(name.Offset, macro, target, variable, args[1], args[2])
            : new ComprehensionNode(name.Offset, macro, target, variable, args[1], null);
    }
}
