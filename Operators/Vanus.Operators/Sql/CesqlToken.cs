namespace Vanus.Operators.Sql;

/// <summary>The token kinds of CESQLLexer.g4 (keywords are case-insensitive).</summary>
internal enum TokenKind : byte
{
    End,
    Error,
    LeftParen,
    RightParen,
    Comma,
    Star,
    Slash,
    Percent,
    Plus,
    Minus,
    Equal,
    NotEqual,
    LessGreater,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
    Xor,
    Not,
    Like,
    Exists,
    In,
    True,
    False,
    String,
    Integer,

    /// <summary>Letters only (<c>IDENTIFIER</c>): an attribute name, or a function name when '(' follows.</summary>
    Identifier,

    /// <summary>Letters and digits (<c>IDENTIFIER_WITH_NUMBER</c>): an attribute name only.</summary>
    IdentifierWithNumber,

    /// <summary>Letters and underscores (<c>FUNCTION_IDENTIFIER_WITH_UNDERSCORE</c>): a function name only.</summary>
    FunctionIdentifier,
}

/// <summary>One token: its kind, where it sits in the text, and the decoded value of a string literal.</summary>
internal readonly record struct CesqlToken(TokenKind Kind, int Start, int Length, string? Value = null)
{
    public int End => Start + Length;
}
