namespace Vanus.Operators.Sql;

/// <summary>The primitive types of CloudEvents SQL 1.0 (section 3.1); URI, URI-reference, timestamp and binary attributes read as <see cref="String"/>.</summary>
public enum CesqlType : byte
{
    /// <summary>True or false; zero value <c>false</c>.</summary>
    Boolean = 0,

    /// <summary>A signed 32-bit integer; zero value <c>0</c>.</summary>
    Integer,

    /// <summary>A sequence of Unicode characters; zero value <c>""</c>.</summary>
    String,
}
