namespace Vanus.Operators.Sql;

/// <summary>Casts an operand to one of the CESQL types; lets the binary-operator code be written once for all three.</summary>
internal interface ICaster<T>
{
    static abstract CesqlType Target { get; }

    static abstract Eval<T> Fuse(CompiledNode node);

    static abstract T Read(in CesqlValue value);

    static abstract T Cast(in CesqlValue value, ref EvalState state, string message);
}

internal readonly struct ToBoolean : ICaster<bool>
{
    public static CesqlType Target => CesqlType.Boolean;

    public static Eval<bool> Fuse(CompiledNode node) => node.AsBoolean();

    public static bool Read(in CesqlValue value) => value.AsBoolean;

    public static bool Cast(in CesqlValue value, ref EvalState state, string message) => CesqlCasts.ToBoolean(value, ref state, message);
}

internal readonly struct ToInteger : ICaster<int>
{
    public static CesqlType Target => CesqlType.Integer;

    public static Eval<int> Fuse(CompiledNode node) => node.AsInteger();

    public static int Read(in CesqlValue value) => value.AsInteger;

    public static int Cast(in CesqlValue value, ref EvalState state, string message) => CesqlCasts.ToInteger(value, ref state, message);
}

internal readonly struct ToText : ICaster<string>
{
    public static CesqlType Target => CesqlType.String;

    public static Eval<string> Fuse(CompiledNode node) => node.AsString();

    public static string Read(in CesqlValue value) => value.AsString;

    public static string Cast(in CesqlValue value, ref EvalState state, string message) => CesqlCasts.ToText(value);
}

/// <summary>A binary operator over operands already cast to <typeparamref name="T"/>; it may raise an error (a math error) through the state.</summary>
internal interface IBinaryOperator<T, TResult>
{
    static abstract TResult Apply(T left, T right, ref EvalState state, string message);
}

internal readonly struct Add : IBinaryOperator<int, int>
{
    public static int Apply(int left, int right, ref EvalState state, string message) => Checked((long)left + right, ref state, message);

    // The spec's Integer is the 32-bit range, so a result outside it cannot be represented: a math error with
    // the zero value, rather than a silently wrapped number.
    internal static int Checked(long result, ref EvalState state, string message)
    {
        if (result is < int.MinValue or > int.MaxValue)
        {
            state.Fail(CesqlErrorKind.Math, message);
            return 0;
        }

        return (int)result;
    }
}

internal readonly struct Subtract : IBinaryOperator<int, int>
{
    public static int Apply(int left, int right, ref EvalState state, string message) => Add.Checked((long)left - right, ref state, message);
}

internal readonly struct Multiply : IBinaryOperator<int, int>
{
    public static int Apply(int left, int right, ref EvalState state, string message) => Add.Checked((long)left * right, ref state, message);
}

internal readonly struct Divide : IBinaryOperator<int, int>
{
    public static int Apply(int left, int right, ref EvalState state, string message)
    {
        if (right == 0)
        {
            state.Fail(CesqlErrorKind.Math, message);
            return 0;
        }

        // int.MinValue / -1 is the one quotient outside the range.
        return Add.Checked((long)left / right, ref state, message);
    }
}

internal readonly struct Modulo : IBinaryOperator<int, int>
{
    public static int Apply(int left, int right, ref EvalState state, string message)
    {
        if (right == 0)
        {
            state.Fail(CesqlErrorKind.Math, message);
            return 0;
        }

        // C#'s % truncates like the spec asks (the sign follows the dividend); int.MinValue % -1 would throw.
        return right == -1 ? 0 : left % right;
    }
}

internal readonly struct Less : IBinaryOperator<int, bool>
{
    public static bool Apply(int left, int right, ref EvalState state, string message) => left < right;
}

internal readonly struct LessOrEqual : IBinaryOperator<int, bool>
{
    public static bool Apply(int left, int right, ref EvalState state, string message) => left <= right;
}

internal readonly struct Greater : IBinaryOperator<int, bool>
{
    public static bool Apply(int left, int right, ref EvalState state, string message) => left > right;
}

internal readonly struct GreaterOrEqual : IBinaryOperator<int, bool>
{
    public static bool Apply(int left, int right, ref EvalState state, string message) => left >= right;
}

internal readonly struct EqualBoolean : IBinaryOperator<bool, bool>
{
    public static bool Apply(bool left, bool right, ref EvalState state, string message) => left == right;
}

internal readonly struct NotEqualBoolean : IBinaryOperator<bool, bool>
{
    public static bool Apply(bool left, bool right, ref EvalState state, string message) => left != right;
}

internal readonly struct EqualInteger : IBinaryOperator<int, bool>
{
    public static bool Apply(int left, int right, ref EvalState state, string message) => left == right;
}

internal readonly struct NotEqualInteger : IBinaryOperator<int, bool>
{
    public static bool Apply(int left, int right, ref EvalState state, string message) => left != right;
}

internal readonly struct EqualString : IBinaryOperator<string, bool>
{
    public static bool Apply(string left, string right, ref EvalState state, string message) => string.Equals(left, right, StringComparison.Ordinal);
}

internal readonly struct NotEqualString : IBinaryOperator<string, bool>
{
    public static bool Apply(string left, string right, ref EvalState state, string message) => !string.Equals(left, right, StringComparison.Ordinal);
}
