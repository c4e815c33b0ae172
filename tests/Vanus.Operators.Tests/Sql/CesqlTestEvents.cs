using Vanus.Operators.Sql;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Tests.Sql;

/// <summary>Events and small helpers shared by the CESQL tests.</summary>
internal static class CesqlTestEvents
{
    /// <summary>An event with the required attributes and the given extensions (typed: int, bool, string, byte[], DateTimeOffset).</summary>
    public static Event With(params (string Name, object Value)[] extensions) => new Event("e-1", "/shop/orders", "order.created")
    {
        Extensions = ExtensionAttributes.From(extensions.Select(x => new KeyValuePair<string, AttributeValue>(x.Name, x.Value switch
        {
            int i => AttributeValue.FromInteger(i),
            bool b => AttributeValue.FromBoolean(b),
            byte[] bytes => AttributeValue.FromBinary(bytes),
            DateTimeOffset t => AttributeValue.FromTimestamp(t),
            Uri u => AttributeValue.FromUri(u.ToString()),
            _ => AttributeValue.FromString((string)x.Value),
        }))),
    };

    public static readonly Event Plain = With();

    public static CesqlValue Eval(string expression, Event? e = null) => CesqlExpression.Parse(expression).Evaluate(e ?? Plain);

    public static void AssertValue(CesqlValue actual, object expected, CesqlErrorKind error = CesqlErrorKind.None)
    {
        Assert.True(actual.Error == error, $"expected error {error} but got {actual.Error} ({actual.ErrorMessage}); value {actual}");
        switch (expected)
        {
            case bool b:
                Assert.Equal(CesqlType.Boolean, actual.Type);
                Assert.Equal(b, actual.AsBoolean);
                break;
            case int i:
                Assert.Equal(CesqlType.Integer, actual.Type);
                Assert.Equal(i, actual.AsInteger);
                break;
            default:
                Assert.Equal(CesqlType.String, actual.Type);
                Assert.Equal((string)expected, actual.AsString);
                break;
        }
    }
}
