using Vanus.Operators.Cel;

namespace Vanus.Operators.Tests.Cel;

/// <summary>
/// Cases taken from the cel-spec conformance suite (google/cel-spec, tests/simple/testdata/*.textproto), named
/// <c>file/section/test</c>. Expected values are written in CEL literal form; <c>error</c> means the evaluation must
/// fail, <c>error:text</c> that its message contains the text. Cases marked unchecked carry <c>disable_check: true</c>
/// in the suite: they run without the type checker to test the runtime's own overload errors. Cases that need protobuf
/// messages are left out: this runtime has no message types.
/// </summary>
public sealed class CelConformanceTests
{
    private static readonly (string Name, string Expr, string Expected, bool Check)[] Cases =
    [
        // basic.textproto
        ("basic/self_eval_zeroish/self_eval_int_zero", "0", "0", true),
        ("basic/self_eval_zeroish/self_eval_uint_zero", "0u", "0u", true),
        ("basic/self_eval_zeroish/self_eval_double_zero", "0.0", "0.0", true),
        ("basic/self_eval_zeroish/self_eval_double_zerowithexp", "0e+0", "0.0", true),
        ("basic/self_eval_zeroish/self_eval_string_empty", "''", "\"\"", true),
        ("basic/self_eval_zeroish/self_eval_string_empty_quotes", "\"\"", "\"\"", true),
        ("basic/self_eval_zeroish/self_eval_string_raw_prefix", "r\"\"", "\"\"", true),
        ("basic/self_eval_zeroish/self_eval_byte_empty", "b\"\"", "b\"\"", true),
        ("basic/self_eval_zeroish/self_eval_bool_false", "false", "false", true),
        ("basic/self_eval_zeroish/self_eval_null", "null", "null", true),
        ("basic/self_eval_zeroish/self_eval_empty_list", "[]", "[]", true),
        ("basic/self_eval_zeroish/self_eval_empty_map", "{}", "{}", true),
        ("basic/self_eval_nonzeroish/self_eval_int_nonzero", "17", "17", true),
        ("basic/self_eval_nonzeroish/self_eval_uint_nonzero", "123456789u", "123456789u", true),
        ("basic/self_eval_nonzeroish/self_eval_int_negative_min", "-9223372036854775808", "-9223372036854775808", true),
        ("basic/self_eval_nonzeroish/self_eval_double_negative_exp", "-2.3e+1", "-23.0", true),
        ("basic/self_eval_nonzeroish/self_eval_string_excl", "\"!\"", "\"!\"", true),
        ("basic/self_eval_nonzeroish/self_eval_string_escape", @"'\''", "\"'\"", true),
        ("basic/self_eval_nonzeroish/self_eval_binary_escape", @"b'\u00FF'", @"b""\xc3\xbf""", true),
        ("basic/self_eval_nonzeroish/self_eval_list_singleitem", "[-1]", "[-1]", true),
        ("basic/self_eval_nonzeroish/self_eval_map_singleitem", "{\"k\":\"v\"}", "{\"k\": \"v\"}", true),
        ("basic/self_eval_nonzeroish/self_eval_bool_true", "true", "true", true),

        // integer_math.textproto
        ("integer_math/int64_math/add_positive_positive", "40 + 2", "42", true),
        ("integer_math/int64_math/add_positive_negative", "42 + (-7)", "35", true),
        ("integer_math/int64_math/add_negative_negative", "-4 + (-2)", "-6", true),
        ("integer_math/int64_math/sub_positive_negative", "42 - (-22)", "64", true),
        ("integer_math/int64_math/multiply_positive_negative", "40 * (-2)", "-80", true),
        ("integer_math/int64_math/divide_positive_negative", "-20 / 2", "-10", true),
        ("integer_math/int64_math/mod_positive_negative", "43 % (-5)", "3", true),
        ("integer_math/int64_math/mod_negative_negative", "-42 % (-5)", "-2", true),
        ("integer_math/int64_math/mod_negative_positive", "-3 % 5", "-3", true),
        ("integer_math/int64_math/unary_minus_pos", "-(42)", "-42", true),
        ("integer_math/int64_math/unary_minus_neg", "-(-42)", "42", true),
        ("integer_math/int64_math/unary_minus_no_overload", "-(42u)", "error:no such overload", false),
        ("integer_math/int64_math/unary_minus_not_bool", "-false", "error:no such overload", false),
        ("integer_math/int64_math/mod_zero", "34 % 0", "error:modulus by zero", true),
        ("integer_math/int64_math/negtive_zero", "-(0)", "0", true),
        ("integer_math/int64_math/divide_zero", "15 / 0", "error:divide by zero", true),
        ("integer_math/int64_math/add_associative", "5 + (15 + 20) == (5 + 15) + 20", "true", true),
        ("integer_math/int64_math/add_mul_distribute", "5 * (15 + 25)  == 5 * 15 + 5 * 25", "true", true),
        ("integer_math/int64_math/int64_overflow_positive", "9223372036854775807 + 1", "error:overflow", true),
        ("integer_math/int64_math/int64_overflow_negative", "-9223372036854775808 - 1", "error:overflow", true),
        ("integer_math/int64_math/int64_overflow_add_negative", "-9223372036854775808 + (-1)", "error:overflow", true),
        ("integer_math/int64_math/int64_overflow_sub_positive", "1 - (-9223372036854775807)", "error:overflow", true),
        ("integer_math/int64_math/int64_min_negate", "-(-9223372036854775808)", "error:overflow", true),
        ("integer_math/int64_math/int64_min_negate_mul", "(-9223372036854775808) * -1", "error:overflow", true),
        ("integer_math/int64_math/int64_min_negate_div", "(-9223372036854775808)/-1", "error:overflow", true),
        ("integer_math/int64_math/int64_overflow_mul_positive", "5000000000 * 5000000000", "error:overflow", true),
        ("integer_math/int64_math/int64_overflow_mul_negative", "(-5000000000) * 5000000000", "error:overflow", true),
        ("integer_math/int64_math/uint64_overflow_positive", "18446744073709551615u + 1u", "error:overflow", true),
        ("integer_math/int64_math/uint64_overflow_negative", "0u - 1u", "error:overflow", true),
        ("integer_math/int64_math/uint64_overflow_mul_positive", "5000000000u * 5000000000u", "error:overflow", true),
        ("integer_math/uint64_math/add", "42u + 2u", "44u", true),
        ("integer_math/uint64_math/sub", "42u - 12u", "30u", true),
        ("integer_math/uint64_math/multiply", "40u * 2u", "80u", true),
        ("integer_math/uint64_math/divide", "60u / 2u", "30u", true),
        ("integer_math/uint64_math/mod", "42u % 5u", "2u", true),
        ("integer_math/uint64_math/negtive_no_overload", "-(5u)", "error:no such overload", false),
        ("integer_math/uint64_math/mod_zero", "34u % 0u", "error:modulus by zero", true),
        ("integer_math/uint64_math/divide_zero", "15u / 0u", "error:divide by zero", true),
        ("integer_math/uint64_math/add_mul_distribute", "5u * (15u + 25u)  == 5u * 15u + 5u * 25u", "true", true),

        // fp_math.textproto
        ("fp_math/fp_math/add_positive_positive", "4.25 + 15.25", "19.5", true),
        ("fp_math/fp_math/sub_negative_negative", "-4.875 - (-0.125)", "-4.75", true),
        ("fp_math/fp_math/multiply_positive_negative", "40.75 * (-2.25)", "-91.6875", true),
        ("fp_math/fp_math/divide_positive_positive", "0.0625 / 0.002", "31.25", true),
        ("fp_math/fp_math/divide_negative_negative", "-8.875 / (-0.0625)", "142.0", true),
        ("fp_math/fp_math/mod_not_support", "47.5 % 5.5", "error:no such overload", false),
        ("fp_math/fp_math/negative", "-(4.5)", "-4.5", true),
        ("fp_math/fp_math/negative_zero", "-(0.0)", "-0.0", true),
        ("fp_math/fp_math/divide_zero", "15.75 / 0.0", "+Inf", true),
        ("fp_math/fp_math/multiply_zero", "15.36 * 0.0", "0.0", true),
        ("fp_math/fp_math/mul_associative", "1.5 * (23.625 * 0.75) == (1.5 * 23.625) * 0.75", "true", true),
        ("fp_math/fp_math/fp_overflow_positive", "2.0 * 8.988466e+307 ", "+Inf", true),
        ("fp_math/fp_math/fp_overflow_negative", "2.0 * -8.988466e+307 ", "-Inf", true),
        ("fp_math/fp_math/fp_underflow", "1e-324  / 2.0", "0.0", true),

        // logic.textproto
        ("logic/conditional/true_case", "true ? 1 : 2", "1", true),
        ("logic/conditional/false_case", "false ? 'foo' : 'bar'", "\"bar\"", true),
        ("logic/conditional/error_case", "2 / 0 > 4 ? 'baz' : 'quux'", "error:divide by zero", true),
        ("logic/conditional/mixed_type", "true ? 'cows' : 17", "\"cows\"", false),
        ("logic/conditional/bad_type", "'cows' ? false : 17", "error:no such overload", false),
        ("logic/AND/all_true", "true && true", "true", true),
        ("logic/AND/all_false", "false && false", "false", true),
        ("logic/AND/false_left", "false && true", "false", true),
        ("logic/AND/false_right", "true && false", "false", true),
        ("logic/AND/short_circuit_type_left", "false && 32", "false", false),
        ("logic/AND/short_circuit_type_right", "'horses' && false", "false", false),
        ("logic/AND/short_circuit_error_left", "false && (2 / 0 > 3 ? false : true)", "false", true),
        ("logic/AND/short_circuit_error_right", "(2 / 0 > 3 ? false : true) && false", "false", true),
        ("logic/AND/error_right", "true && 1/0 != 0", "error:divide by zero", true),
        ("logic/AND/error_left", "1/0 != 0 && true", "error:divide by zero", true),
        ("logic/AND/no_overload", "'less filling' && 'tastes great'", "error:no such overload", false),
        ("logic/OR/all_true", "true || true", "true", true),
        ("logic/OR/all_false", "false || false", "false", true),
        ("logic/OR/false_left", "false || true", "true", true),
        ("logic/OR/false_right", "true || false", "true", true),
        ("logic/OR/short_circuit_type_left", "true || 32", "true", false),
        ("logic/OR/short_circuit_type_right", "'horses' || true", "true", false),
        ("logic/OR/short_circuit_error_left", "true || (2 / 0 > 3 ? false : true)", "true", true),
        ("logic/OR/short_circuit_error_right", "(2 / 0 > 3 ? false : true) || true", "true", true),
        ("logic/OR/error_right", "false || 1/0 != 0", "error:divide by zero", true),
        ("logic/OR/error_left", "1/0 != 0 || false", "error:divide by zero", true),
        ("logic/OR/no_overload", "'less filling' || 'tastes great'", "error:no such overload", false),
        ("logic/NOT/not_true", "!true", "false", true),
        ("logic/NOT/not_false", "!false", "true", true),
        ("logic/NOT/no_overload", "!0", "error:no such overload", false),

        // comparisons.textproto
        ("comparisons/eq_literal/eq_int", "1 == 1", "true", true),
        ("comparisons/eq_literal/eq_int_uint", "dyn(1) == 1u", "true", true),
        ("comparisons/eq_literal/not_eq_int_uint", "dyn(2) == 1u", "false", true),
        ("comparisons/eq_literal/eq_int_double", "dyn(1) == 1.0", "true", true),
        ("comparisons/eq_literal/eq_uint_double", "dyn(1u) == 1.0", "true", true),
        ("comparisons/eq_literal/not_eq_double_nan", "0.0/0.0 == 0.0/0.0", "false", true),
        ("comparisons/eq_literal/not_eq_int_double_nan", "dyn(1) == 0.0/0.0", "false", true),
        ("comparisons/eq_literal/eq_double_uint", "dyn(1.0) == 1u", "true", true),
        ("comparisons/eq_literal/eq_string", "'' == \"\"", "true", true),
        ("comparisons/eq_literal/eq_raw_string", "'abc' == r'abc'", "true", true),
        ("comparisons/eq_literal/not_eq_string_case", "'abc' == 'ABC'", "false", true),
        ("comparisons/eq_literal/eq_string_unicode", "'ίσος' == 'ίσος'", "true", true),
        ("comparisons/eq_literal/not_eq_string_unicode_ascii", "'a' == 'à'", "false", true),
        ("comparisons/eq_literal/no_string_normalization", @"'Am\u00E9lie' == 'Ame\u0301lie'", "false", true),
        ("comparisons/eq_literal/no_string_normalization_surrogate", @"'\U0001F436' == '\xef\xbf\xbd\xef\xbf\bd'", "false", true),
        ("comparisons/eq_literal/eq_null", "null == null", "true", true),
        ("comparisons/eq_literal/not_eq_bool", "false == true", "false", true),
        ("comparisons/eq_literal/eq_bytes", @"b'ÿ' == b'\303\277'", "true", true),
        ("comparisons/eq_literal/not_eq_bytes", "b'abc' == b'abcd'", "false", true),
        ("comparisons/eq_literal/eq_list_null", "[null] == [null]", "true", true),
        ("comparisons/eq_literal/not_eq_list_null", "['1', '2', null] == ['1', '2', '3']", "false", true),
        ("comparisons/eq_literal/eq_list_mixed_type_numbers", "[1.0, 2.0, 3] == [1u, 2, 3u]", "true", true),
        ("comparisons/eq_literal/not_eq_list_mixed_type_numbers", "[1.0, 2.1] == [1u, 2]", "false", true),
        ("comparisons/eq_literal/not_eq_list_order", "[1, 2, 3] == [1, 3, 2]", "false", true),
        ("comparisons/eq_literal/not_eq_list_length", "['one'] == [2, 3]", "false", false),
        ("comparisons/eq_literal/not_eq_list_false_vs_types", "[1, 'dos', 3] == [1, 2, 4]", "false", true),
        ("comparisons/eq_literal/eq_map_null", "{'k': null} == {'k': null}", "true", true),
        ("comparisons/eq_literal/not_eq_map_null", "{'k': 1, 'j': 2} == {'k': 1, 'j': null}", "false", true),
        ("comparisons/eq_literal/eq_map_double_value", "{'k':1.0} == {'k':1e+0}", "true", true),
        ("comparisons/eq_literal/eq_map_mixed_type_numbers", "{1: 1.0, 2u: 3u} == {1u: 1, 2: 3.0}", "true", true),
        ("comparisons/eq_literal/not_eq_map_extra_key", "{'k':'v','k1':'v1'} == {'k':'v'}", "false", true),
        ("comparisons/eq_literal/eq_map_key_order", "{'k1':'v1','k2':'v2'} == {'k2':'v2','k1':'v1'}", "true", true),
        ("comparisons/eq_literal/not_eq_map_key_casing", "{'key':'value'} == {'Key':'value'}", "false", true),
        ("comparisons/eq_literal/not_eq_map_false_vs_types", "{'k1': 1, 'k2': 'dos', 'k3': 3} == {'k1': 1, 'k2': 2, 'k3': 4}", "false", true),
        ("comparisons/eq_literal/eq_mixed_types", "1.0 == 1", "true", false),
        ("comparisons/eq_literal/eq_list_elem_mixed_types", "[1] == [1.0]", "true", false),
        ("comparisons/eq_literal/eq_map_value_mixed_types", "{'k':'v', 1:1} == {'k':'v', 1:'v1'}", "false", true),
        ("comparisons/eq_literal/not_eq_dyn_bool_null", "dyn(false) == null", "false", true),
        ("comparisons/eq_literal/not_eq_dyn_duration_null", "dyn(duration('0s')) == null", "false", true),
        ("comparisons/eq_literal/not_eq_dyn_list_null", "dyn([]) == null", "false", true),
        ("comparisons/eq_literal/not_eq_dyn_timestamp_null", "dyn(timestamp(0)) == null", "false", true),
        ("comparisons/eq_literal/not_eq_map_value_null", "{1:'hello', 2:'world'} == {1:'goodbye', 2:null}", "false", true),
        ("comparisons/ne_literal/ne_int_double", "dyn(24) != 24.1", "true", true),
        ("comparisons/ne_literal/not_ne_int_uint", "dyn(1) != 1u", "false", true),
        ("comparisons/ne_literal/not_ne_double_nan", "0.0/0.0 != 0.0/0.0", "true", true),
        ("comparisons/ne_literal/ne_string_unicode", "'résumé' != 'resume'", "true", true),
        ("comparisons/ne_literal/ne_bytes", @"b'\x00\xFF' != b'ÿ'", "true", true),
        ("comparisons/ne_literal/not_ne_bytes", @"b'\303\277' != b'ÿ'", "false", true),
        ("comparisons/ne_literal/not_ne_null", "null != null", "false", true),
        ("comparisons/ne_literal/not_ne_list_of_list", "[[]] != [[]]", "false", true),
        ("comparisons/ne_literal/ne_map_by_key", "{'k':true} != {'k1':true}", "true", true),
        ("comparisons/ne_literal/not_ne_map_key_order", "{'a':'b','c':'d'} != {'c':'d','a':'b'}", "false", true),
        ("comparisons/ne_literal/ne_mixed_types", "2u != 2", "false", false),
        ("comparisons/lt_literal/lt_int", "-1 < 0", "true", true),
        ("comparisons/lt_literal/not_lt_uint", "2u < 2u", "false", true),
        ("comparisons/lt_literal/lt_double", "1.0 < 1.0000001", "true", true),
        ("comparisons/lt_literal/not_lt_double", "-0.0 < 0.0", "false", true),
        ("comparisons/lt_literal/lt_string_case", "'Abc' < 'aBC'", "true", true),
        ("comparisons/lt_literal/lt_string_length", "'abc' < 'abcd'", "true", true),
        ("comparisons/lt_literal/lt_string_diacritical_mark_sensitive", @"'a' < '\u00E1'", "true", true),
        ("comparisons/lt_literal/not_lt_string_case_length", "'a' < 'AB'", "false", true),
        ("comparisons/lt_literal/unicode_order_lexical", @"'f' < '\u1EBF'", "true", true),
        ("comparisons/lt_literal/lt_bytes", "b'a' < b'b'", "true", true),
        ("comparisons/lt_literal/not_lt_bytes_width", "b'á' < b'b'", "false", true),
        ("comparisons/lt_literal/lt_bool_false_first", "false < true", "true", true),
        ("comparisons/lt_literal/lt_list_unsupported", "[0] < [1]", "error:no such overload", false),
        ("comparisons/lt_literal/lt_map_unsupported", "{0:'a'} < {1:'b'}", "error:no such overload", false),
        ("comparisons/lt_literal/lt_null_unsupported", "null < null", "error:no such overload", false),
        ("comparisons/lt_literal/lt_mixed_types_error", "'foo' < 1024", "error:no such overload", false),
        ("comparisons/lt_literal/lt_dyn_int_uint", "dyn(1) < 2u", "true", true),
        ("comparisons/lt_literal/lt_dyn_uint_double", "dyn(1u) < 2.0", "true", true),
        ("comparisons/lt_literal/not_lt_dyn_double_int", "dyn(1.0) < 1", "false", true),
        ("comparisons/lt_literal/lt_dyn_int_big_uint", "dyn(1) < 9223372036854775808u", "true", true),
        ("comparisons/lt_literal/lt_dyn_small_int_uint", "dyn(-1) < 0u", "true", true),
        ("comparisons/lt_literal/not_lt_dyn_int_big_lossy_double", "dyn(9223372036854775807) < 9223372036854775808.0", "false", true),
        ("comparisons/lt_literal/lt_dyn_int_big_lossy_double", "dyn(9223372036854775807) < 9223372036854777857.0", "true", true),
        ("comparisons/lt_literal/not_lt_dyn_int_small_lossy_double", "dyn(-9223372036854775808) < -9223372036854775809.0", "false", true),
        ("comparisons/lt_literal/not_lt_dyn_uint_small_int", "dyn(1u) < -9223372036854775808", "false", true),
        ("comparisons/lt_literal/not_lt_dyn_big_uint_int", "dyn(9223372036854775808u) < 1", "false", true),
        ("comparisons/lt_literal/not_lt_dyn_uint_small_double", "dyn(18446744073709551615u) < -1.0", "false", true),
        ("comparisons/lt_literal/lt_dyn_uint_big_double", "dyn(18446744073709551615u) < 18446744073709590000.0", "true", true),
        ("comparisons/lt_literal/not_lt_dyn_big_double_uint", "dyn(18446744073709553665.0) < 18446744073709551615u", "false", true),
        ("comparisons/gt_literal/gt_string_unicode", "'α' > 'omega'", "true", true),
        ("comparisons/gt_literal/gt_bytes_one", @"b'\x01' > b'\x00'", "true", true),
        ("comparisons/gt_literal/not_gt_bytes_sorting", @"b'\x00\x01' > b'\x01'", "false", true),
        ("comparisons/gt_literal/gt_null_unsupported", "null > null", "error:no such overload", false),
        ("comparisons/gt_literal/gt_dyn_uint_small_int", "dyn(1u) > -1", "true", true),
        ("comparisons/gt_literal/gt_dyn_int_small_lossy_double_greater", "dyn(-9223372036854775808) > -9223372036854777857.0", "true", true),
        ("comparisons/gt_literal/gt_dyn_big_double_uint", "dyn(18446744073709553665.0) > 18446744073709551615u", "true", true),
        ("comparisons/lte_literal/lte_double_eq", "0.0 <= 0e-1", "true", true),
        ("comparisons/lte_literal/lte_string_lexicographical", "'aBc' <= 'abc'", "true", true),
        ("comparisons/lte_literal/not_lte_string_unicode", "'α' <= 'a'", "false", true),
        ("comparisons/lte_literal/not_lte_bytes_length", @"b'\x01\x00' <= b'\x01'", "false", true),
        ("comparisons/lte_literal/lte_dyn_int_small_lossy_double", "dyn(-9223372036854775808) <= -9223372036854775809.0", "true", true),
        ("comparisons/lte_literal/lte_dyn_big_double_int", "dyn(9223372036854775808.0) <= 9223372036854775807", "true", true),
        ("comparisons/gte_literal/gte_double_eq", "9.80665 >= 9.80665e+0", "true", true),
        ("comparisons/gte_literal/gte_string_unicode_gt", "'τ' >= 't'", "true", true),
        ("comparisons/gte_literal/gte_bytes_samelength", @"b'\x00\x01' >= b'\x01\x00'", "false", true),
        ("comparisons/gte_literal/gte_mixed_types_error", "'foo' >= 1.0", "error:no such overload", false),
        ("comparisons/gte_literal/not_gte_dyn_uint_big_double", "dyn(18446744073709551615u) >= 18446744073709553665.0", "false", true),
        ("comparisons/in_list_literal/elem_not_in_empty_list", "'empty' in []", "false", true),
        ("comparisons/in_list_literal/elem_in_list", "'elem' in ['elem', 'elemA', 'elemB']", "true", true),
        ("comparisons/in_list_literal/elem_in_mixed_type_list", "'elem' in [1, 'elem', 2]", "true", true),
        ("comparisons/in_list_literal/elem_in_mixed_type_list_cross_type", "'elem' in [1u, 'str', 2, b'bytes']", "false", true),
        ("comparisons/in_map_literal/key_in_map", "'key' in {'key':'1', 'other':'2'}", "true", true),
        ("comparisons/in_map_literal/key_not_in_map", "'key' in {'lock':1, 'gate':2}", "false", true),
        ("comparisons/in_map_literal/key_in_mixed_key_type_map", "'key' in {3:3.0, 'key':2u}", "true", true),
        ("comparisons/in_map_literal/key_in_mixed_key_type_map_cross_type", "'key' in {1u:'str', 2:b'bytes'}", "false", true),

        // conversions.textproto
        ("conversions/bytes/string_unicode", "bytes('ÿ')", @"b""\xc3\xbf""", true),
        ("conversions/bytes/string_unicode_vs_literal", @"bytes('\377') == b'\377'", "false", true),
        ("conversions/double/int_min_exact", "double(-9007199254740992)", "-9.007199254740992e+15", true),
        ("conversions/double/int_range", "double(9223372036854775807)", "9.223372036854776e+18", true),
        ("conversions/double/uint_range", "double(18446744073709551615u)", "1.8446744073709552e+19", true),
        ("conversions/double/string_neg_zero", "double('-0.0')", "-0.0", true),
        ("conversions/double/string_exp_pos_neg", "double('1.38e-23')", "1.38e-23", true),
        ("conversions/double/string_exp_neg_pos", "double('-84.32e7')", "-8.432e+08", true),
        ("conversions/dyn/dyn_heterogeneous_list", "type(dyn([1, 'one']))", "list", true),
        ("conversions/int/uint_max_exact", "int(9223372036854775807u)", "9223372036854775807", true),
        ("conversions/int/uint_range", "int(18446744073709551615u)", "error:range", true),
        ("conversions/int/double_round_neg", "int(-123.456)", "-123", true),
        ("conversions/int/double_truncate_neg", "int(-7.9)", "-7", true),
        ("conversions/int/double_half_pos", "int(11.5)", "11", true),
        ("conversions/int/double_big_exact", "int(double(36028797018963968))", "36028797018963968", true),
        ("conversions/int/double_big_precision", "int(double(36028797018963969))", "36028797018963968", true),
        ("conversions/int/double_int_max_range", "int(9223372036854775807.0)", "error:range", true),
        ("conversions/int/double_int_min_range", "int(-9223372036854775808.0)", "error:range", true),
        ("conversions/int/double_range", "int(1e99)", "error:range", true),
        ("conversions/int/string", "int('987')", "987", true),
        ("conversions/int/timestamp", "int(timestamp('2004-09-16T23:59:59Z'))", "1095379199", true),
        ("conversions/string/int_neg", "string(-456)", "\"-456\"", true),
        ("conversions/string/uint", "string(9876u)", "\"9876\"", true),
        ("conversions/string/double", "string(123.456)", "\"123.456\"", true),
        ("conversions/string/double_hard", "string(-4.5e-3)", "\"-0.0045\"", true),
        ("conversions/string/bytes_unicode", @"string(b'\303\277')", "\"ÿ\"", true),
        ("conversions/string/bytes_invalid", @"string(b'\000\xff')", "error:invalid UTF-8", true),
        ("conversions/type/bool_denotation", "bool", "bool", true),
        ("conversions/type/dyn_no_denotation", "dyn", "error", false),
        ("conversions/type/null_type", "type(null)", "null_type", true),
        ("conversions/type/bytes", @"type(b'\xff')", "bytes", true),
        ("conversions/type/lists_monomorphic", "type([1, 2, 3]) == type(['one', 'two', 'three'])", "true", true),
        ("conversions/type/map_monomorphic", "type({'one': 1}) == type({1: 'one'})", "true", true),
        ("conversions/type/eq_diff", "type(7) == type(7u)", "false", true),
        ("conversions/type/neq_diff", "type(0.0) != type(0)", "true", true),
        ("conversions/type/meta", "type(type(7)) == type(type(7u))", "true", true),
        ("conversions/type/type_type", "type(type)", "type", true),
        ("conversions/uint/int_neg", "uint(-1)", "error:range", true),
        ("conversions/uint/double_half", "uint(25.5)", "25u", true),
        ("conversions/uint/double_big_precision", "uint(double(36028797018963969u))", "36028797018963968u", true),
        ("conversions/uint/double_uint_max_range", "int(18446744073709551615.0)", "error:range", true),
        ("conversions/uint/double_range_beyond_uint", "uint(6.022e23)", "error:range", true),
        ("conversions/uint/string", "uint('300')", "300u", true),

        // string.textproto
        ("string/size/one_unicode", "size('ÿ')", "1", true),
        ("string/size/unicode", "size('πέντε')", "5", true),
        ("string/size/bytes", "size(b'abc')", "3", true),
        ("string/starts_with/empty_target", "''.startsWith('foo')", "false", true),
        ("string/starts_with/empty_arg", "'foobar'.startsWith('')", "true", true),
        ("string/starts_with/unicode", "'завтра'.startsWith('за')", "true", true),
        ("string/starts_with/unicode_smp", "'\U0001F431\U0001F600\U0001F61B'.startsWith('\U0001F431')", "true", true),
        ("string/ends_with/basic_false", "'foobar'.endsWith('foo')", "false", true),
        ("string/ends_with/unicode", "'forté'.endsWith('té')", "true", true),
        ("string/matches/basic", "'hubba'.matches('ubb')", "true", true),
        ("string/matches/empty_target", "''.matches('foo|bar')", "false", true),
        ("string/matches/empty_arg", "'cows'.matches('')", "true", true),
        ("string/matches/re_alt", "'grey'.matches('gr(a|e)y')", "true", true),
        ("string/matches/re_rep", "'banana'.matches('ba(na)*')", "true", true),
        ("string/matches/unicode", "'mañana'.matches('a+ñ+a+')", "true", true),
        ("string/matches/unicode_smp", "'\U0001F431\U0001F600\U0001F600'.matches('(a|\U0001F600){2}')", "true", true),
        ("string/concatentation/concat_true", "'he' + 'llo'", "\"hello\"", true),
        ("string/concatentation/concat_with_spaces", "'hello' + ' ' == 'hello'", "false", true),
        ("string/concatentation/unicode_unicode", "'¢' + 'ÿ' + 'Ȁ'", "\"¢ÿȀ\"", true),
        ("string/contains/contains_empty", "'hello'.contains('')", "true", true),
        ("string/contains/contains_false", "'hello'.contains('ol')", "false", true),
        ("string/contains/contains_multiple", "'abababc'.contains('ababc')", "true", true),
        ("string/contains/contains_unicode", "'Straße'.contains('aß')", "true", true),
        ("string/contains/empty_contains", "''.contains('something')", "false", true),
        ("string/bytes_concat/left_unit", @"b'' + b'\xffoo'", @"b""\xffoo""", true),

        // lists.textproto
        ("lists/concatentation/list_append", "[0, 1, 2] + [3, 4, 5] == [0, 1, 2, 3, 4, 5]", "true", true),
        ("lists/concatentation/list_not_commutative", "[0, 1, 2] + [3, 4, 5] == [3, 4, 5, 0, 1, 2]", "false", true),
        ("lists/concatentation/list_repeat", "[2] + [2]", "[2, 2]", true),
        ("lists/concatentation/left_unit", "[] + [3, 4]", "[3, 4]", true),
        ("lists/index/zero_based_double", "[7, 8, 9][dyn(0.0)]", "7", true),
        ("lists/index/zero_based_double_error", "[7, 8, 9][dyn(0.1)]", "error:invalid_argument", true),
        ("lists/index/zero_based_uint", "[7, 8, 9][dyn(0u)]", "7", true),
        ("lists/index/last", "['George', 'John', 'Paul', 'Ringo'][3]", "\"Ringo\"", true),
        ("lists/index/range", "[1, 2, 3][3]", "error:invalid_argument", true),
        ("lists/in/singleton", "4u in [4u]", "true", true),
        ("lists/in/double_in_ints", "dyn(3.0) in [5, 4, 3, 2, 1]", "true", true),
        ("lists/in/uint_in_ints", "dyn(3u) in [5, 4, 3, 2, 1]", "true", true),
        ("lists/in/int_in_doubles", "dyn(3) in [5.0, 4.0, 3.0, 2.0, 1.0]", "true", true),
        ("lists/in/double_in_uints", "dyn(3.0) in [5u, 4u, 3u, 2u, 1u]", "true", true),
        ("lists/in/missing", "'hawaiian' in ['meat', 'veggie', 'margarita', 'cheese']", "false", true),
        ("lists/size/map", "size({1: 'one', 2: 'two', 3: 'three'})", "3", true),

        // macros.textproto
        ("macros/exists/list_elem_type_shortcircuit", "[1, 'foo', 3].exists(e, e != '1')", "true", true),
        ("macros/exists/list_elem_type_exhaustive", "[1, 'foo', 3].exists(e, e == '10')", "false", true),
        ("macros/exists/list_elem_exists_error", "[1, 2, 3].exists(e, e / 0 == 17)", "error:divide by zero", true),
        ("macros/exists/list_empty", "[].exists(e, e == 2)", "false", true),
        ("macros/exists/map_key", "{'key1':1, 'key2':2}.exists(k, k == 'key2')", "true", true),
        ("macros/exists/map_key_type_shortcircuit", "{'key':1, 1:21}.exists(k, k != 2)", "true", true),
        ("macros/exists/map_key_type_exhaustive", "!{'key':1, 1:42}.exists(k, k == 2)", "true", true),
        ("macros/all/list_elem_all_true", "[1, 2, 3].all(e, e > 0)", "true", true),
        ("macros/all/list_elem_type_shortcircuit", "[1, 'foo', 3].all(e, e == 1)", "false", true),
        ("macros/all/list_elem_type_exhaustive", "[1, 'foo', 3].all(e, e % 2 == 1)", "error:no such overload", true),
        ("macros/all/list_elem_error_shortcircuit", "[1, 2, 3].all(e, 6 / (2 - e) == 6)", "false", true),
        ("macros/all/list_elem_error_exhaustive", "[1, 2, 3].all(e, e / 0 != 17)", "error:divide by zero", true),
        ("macros/all/list_empty", "[].all(e, e > 0)", "true", true),
        ("macros/all/map_key", "{'key1':1, 'key2':2}.all(k, k == 'key2')", "false", true),
        ("macros/exists_one/list_empty", "[].exists_one(a, a == 7)", "false", true),
        ("macros/exists_one/list_one_true", "[7].exists_one(a, a == 7)", "true", true),
        ("macros/exists_one/list_one", "[6, 7, 8].exists_one(foo, foo % 5 == 2)", "true", true),
        ("macros/exists_one/list_many", "[0, 1, 2, 3, 4].exists_one(n, n % 2 == 1)", "false", true),
        ("macros/exists_one/list_all", "['foal', 'foo', 'four'].exists_one(n, n.startsWith('fo'))", "false", true),
        ("macros/exists_one/list_no_shortcircuit", "[3, 2, 1, 0].exists_one(n, 12 / n > 1)", "error:divide by zero", true),
        ("macros/exists_one/map_one", "{6: 'six', 7: 'seven', 8: 'eight'}.exists_one(foo, foo % 5 == 2)", "true", true),
        ("macros/map/list_empty", "[].map(n, n / 2)", "[]", true),
        ("macros/map/list_one", "[3].map(n, n * n)", "[9]", true),
        ("macros/map/list_many", "[2, 4, 6].map(n, n / 2)", "[1, 2, 3]", true),
        ("macros/map/list_error", "[2, 1, 0].map(n, 4 / n)", "error:divide by zero", true),
        ("macros/filter/list_empty", "[].filter(n, n % 2 == 0)", "[]", true),
        ("macros/filter/list_some", "[0, 1, 2, 3, 4].filter(x, x % 2 == 1)", "[1, 3]", true),
        ("macros/filter/list_all", "[1, 2, 3].filter(n, n > 0)", "[1, 2, 3]", true),
        ("macros/filter/list_no_shortcircuit", "[3, 2, 1, 0].filter(n, 12 / n > 4)", "error:divide by zero", true),
        ("macros/nested/filter_all", "['signer'].filter(signer, ['artifact'].all(artifact, true))", "[\"signer\"]", true),
        ("macros/nested/all_all", "['signer'].all(signer, ['artifact'].all(artifact, true))", "true", true),

        // timestamps.textproto
        ("timestamps/timestamp_conversions/toInt_timestamp", "int(timestamp('2009-02-13T23:31:30Z'))", "1234567890", true),
        ("timestamps/timestamp_conversions/toString_timestamp", "string(timestamp('2009-02-13T23:31:30Z'))", "\"2009-02-13T23:31:30Z\"", true),
        ("timestamps/timestamp_conversions/toString_timestamp_nanos", "string(timestamp('9999-12-31T23:59:59.999999999Z'))", "\"9999-12-31T23:59:59.999999999Z\"", true),
        ("timestamps/timestamp_conversions/toType_timestamp", "type(timestamp('2009-02-13T23:31:30Z'))", "google.protobuf.Timestamp", true),
        ("timestamps/duration_conversions/toString_duration", "string(duration('1000000s'))", "\"1000000s\"", true),
        ("timestamps/duration_conversions/toType_duration", "type(duration('1000000s'))", "google.protobuf.Duration", true),
        ("timestamps/timestamp_selectors/getDate", "timestamp('2009-02-13T23:31:30Z').getDate()", "13", true),
        ("timestamps/timestamp_selectors/getDayOfMonth", "timestamp('2009-02-13T23:31:30Z').getDayOfMonth()", "12", true),
        ("timestamps/timestamp_selectors/getDayOfWeek", "timestamp('2009-02-13T23:31:30Z').getDayOfWeek()", "5", true),
        ("timestamps/timestamp_selectors/getDayOfYear", "timestamp('2009-02-13T23:31:30Z').getDayOfYear()", "43", true),
        ("timestamps/timestamp_selectors/getFullYear", "timestamp('2009-02-13T23:31:30Z').getFullYear()", "2009", true),
        ("timestamps/timestamp_selectors/getHours", "timestamp('2009-02-13T23:31:30Z').getHours()", "23", true),
        ("timestamps/timestamp_selectors/getMilliseconds", "timestamp('2009-02-13T23:31:20.123456789Z').getMilliseconds()", "123", true),
        ("timestamps/timestamp_selectors/getMonth", "timestamp('2009-02-13T23:31:30Z').getMonth()", "1", true),
        ("timestamps/timestamp_selectors/getSeconds", "timestamp('2009-02-13T23:31:30Z').getSeconds()", "30", true),
        ("timestamps/timestamp_selectors_tz/getDate", "timestamp('2009-02-13T23:31:30Z').getDate('Australia/Sydney')", "14", true),
        ("timestamps/timestamp_selectors_tz/getDayOfMonth_name_pos", "timestamp('2009-02-13T23:31:30Z').getDayOfMonth('US/Central')", "12", true),
        ("timestamps/timestamp_selectors_tz/getDayOfMonth_numerical_pos", "timestamp('2009-02-13T23:31:30Z').getDayOfMonth('+11:00')", "13", true),
        ("timestamps/timestamp_selectors_tz/getDayOfMonth_numerical_neg", "timestamp('2009-02-13T02:00:00Z').getDayOfMonth('-02:30')", "11", true),
        ("timestamps/timestamp_selectors_tz/getDayOfMonth_name_neg", "timestamp('2009-02-13T02:00:00Z').getDayOfMonth('America/St_Johns')", "11", true),
        ("timestamps/timestamp_selectors_tz/getFullYear", "timestamp('2009-02-13T23:31:30Z').getFullYear('-09:30')", "2009", true),
        ("timestamps/timestamp_selectors_tz/getHours", "timestamp('2009-02-13T23:31:30Z').getHours('02:00')", "1", true),
        ("timestamps/timestamp_selectors_tz/getMinutes", "timestamp('2009-02-13T23:31:30Z').getMinutes('Asia/Kathmandu')", "16", true),
        ("timestamps/timestamp_selectors_tz/getSeconds", "timestamp('2009-02-13T23:31:30Z').getSeconds('-00:00')", "30", true),
        ("timestamps/timestamp_equality/eq_diff", "timestamp('2009-02-13T23:31:29Z') == timestamp('2009-02-13T23:31:30Z')", "false", true),
        ("timestamps/duration_equality/neq_diff", "duration('86400s') != duration('86164s')", "true", true),
        ("timestamps/timestamp_arithmetic/add_duration_to_time", "timestamp('2009-02-13T23:00:00Z') + duration('240s') == timestamp('2009-02-13T23:04:00Z')", "true", true),
        ("timestamps/timestamp_arithmetic/add_time_to_duration", "duration('120s') + timestamp('2009-02-13T23:01:00Z') == timestamp('2009-02-13T23:03:00Z')", "true", true),
        ("timestamps/timestamp_arithmetic/add_time_to_duration_nanos_negative", "timestamp('0001-01-01T00:00:01.000000001Z') + duration('-999999999ns') == timestamp('0001-01-01T00:00:00.000000002Z')", "true", true),
        ("timestamps/timestamp_arithmetic/add_time_to_duration_nanos_positive", "timestamp('0001-01-01T00:00:01.999999999Z') + duration('999999999ns') == timestamp('0001-01-01T00:00:02.999999998Z')", "true", true),
        ("timestamps/timestamp_arithmetic/subtract_time_from_time", "timestamp('2009-02-13T23:31:00Z') - timestamp('2009-02-13T23:29:00Z') == duration('120s')", "true", true),
        ("timestamps/timestamp_arithmetic/subtract_duration_from_duration", "duration('900s') - duration('42s') == duration('858s')", "true", true),
        ("timestamps/comparisons/leq_timestamp_false", "timestamp('2009-02-13T23:00:00Z') <= timestamp('2009-02-13T22:59:59Z')", "false", true),
        ("timestamps/comparisons/less_duration_true", "duration('200s') < duration('300s')", "true", true),
        ("timestamps/duration_converters/get_hours", "duration('10000s').getHours()", "2", true),
        ("timestamps/duration_converters/get_minutes", "duration('3730s').getMinutes()", "62", true),
        ("timestamps/duration_converters/get_seconds", "duration('3730s').getSeconds()", "3730", true),
        ("timestamps/timestamp_range/from_string_under", "timestamp('0000-01-01T00:00:00Z')", "error:range", true),
        ("timestamps/timestamp_range/from_string_over", "timestamp('10000-01-01T00:00:00Z')", "error:range", true),
        ("timestamps/timestamp_range/add_duration_under", "timestamp('0001-01-01T00:00:00Z') + duration('-1s')", "error:range", true),
        ("timestamps/timestamp_range/add_duration_over", "timestamp('9999-12-31T23:59:59Z') + duration('1s')", "error:range", true),
        ("timestamps/timestamp_range/add_duration_nanos_over", "timestamp('9999-12-31T23:59:59.999999999Z') + duration('1ns')", "error:range", true),
        ("timestamps/timestamp_range/add_duration_nanos_under", "timestamp('0001-01-01T00:00:00Z') + duration('-1ns')", "error:range", true),
        ("timestamps/timestamp_range/sub_time_duration_over", "timestamp('9999-12-31T23:59:59Z') - timestamp('0001-01-01T00:00:00Z')", "error:range", true),
        ("timestamps/timestamp_range/sub_time_duration_under", "timestamp('0001-01-01T00:00:00Z') - timestamp('9999-12-31T23:59:59Z')", "error:range", true),
        ("timestamps/duration_range/from_string_under", "duration('-320000000000s')", "error:range", true),
        ("timestamps/duration_range/from_string_over", "duration('320000000000s')", "error:range", true),
        ("timestamps/duration_range/add_over", "duration('200000000000s') + duration('200000000000s')", "error:range", true),
        ("timestamps/duration_range/sub_under", "duration('-200000000000s') - duration('200000000000s')", "error:range", true),

        // parse.textproto
        ("parse/nest/funcall", "int(uint(int(uint(int(uint(int(uint(int(uint(int(uint(7))))))))))))", "7", true),
        ("parse/nest/list_literal", "size([[[[[[[[[[[[0]]]]]]]]]]]])", "1", true),
        ("parse/nest/map_literal", "size({0: {0: {0: {0: {0: {0: {0: {0: {0: {0: {0: {0: 'foo'}}}}}}}}}}}})", "1", true),
        ("parse/nest/parens", "((((((((((((((((((((((((((((((((7))))))))))))))))))))))))))))))))", "7", true),
        ("parse/repeat/conditional", string.Join(" : ", Enumerable.Repeat("true ? true", 24)) + " : false", "true", true),
        ("parse/repeat/or", string.Join(" || ", Enumerable.Repeat("false", 32)) + " || true", "true", true),
        ("parse/repeat/and", string.Join(" && ", Enumerable.Repeat("true", 32)) + " && false", "false", true),
        ("parse/repeat/add_sub", "3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3 - 3 + 3", "3", true),
        ("parse/repeat/mul_div", "4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4 * 4 / 4", "4", true),
        ("parse/repeat/not", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!true", "true", true),
        ("parse/repeat/unary_neg", "--------------------------------19", "19", true),
        ("parse/repeat/index", "[[[[[[[[[[[['foo']]]]]]]]]]]][0][0][0][0][0][0][0][0][0][0][0][0]", "\"foo\"", true),
        ("parse/repeat/list_literal", "[" + string.Join(", ", Enumerable.Range(0, 32)) + "][17]", "17", true),
        ("parse/repeat/map_literal", "{0: 'zero', 1: 'one', 2: 'two', 3: 'three', 4: 'four', 5: 'five', 6: 'six', 7: 'seven', 8: 'eight', 9: 'nine', 10: 'ten', 11: 'eleven', 12: 'twelve', 13: 'thirteen', 14: 'fourteen', 15: 'fifteen', 16: 'sixteen', 17: 'seventeen', 18: 'eighteen', 19: 'nineteen', 20: 'twenty', 21: 'twenty-one', 22: 'twenty-two', 23: 'twenty-three', 24: 'twenty-four', 25: 'twenty-five', 26: 'twenty-six', 27: 'twenty-seven', 28: 'twenty-eight', 29: 'twenty-nine', 30: 'thirty', 31: 'thirty-one'}[17]", "\"seventeen\"", true),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Conformance_case_evaluates_as_the_spec_says(string name)
    {
        var (_, expr, expected, check) = Cases.Single(c => c.Name == name);
        var result = CelProgram.Compile(expr, NoDeclarations.Instance, check).Evaluate(null);
        AssertResult(expected, result, expr);
    }

    [Fact]
    public void Case_names_are_unique()
    {
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("comparisons/bound/int_lte_right_true", "123 <= x", "124", "true")]
    [InlineData("comparisons/bound/double_ne_left_false", "x != 9.8", "9.8", "false")]
    [InlineData("comparisons/bound/string_gte_right_true", "'abcd' >= x", "'abc'", "true")]
    [InlineData("comparisons/bound/uint_eq_right_false", "999u == x", "1000u", "false")]
    [InlineData("comparisons/bound/list_eq_right_false", "[1, 2] == x", "[2, 1]", "false")]
    [InlineData("comparisons/bound/map_ne_right_false", "{'a':'b','c':'d'} != x", "{'c': 'd', 'a': 'b'}", "false")]
    [InlineData("parse/nest/list_index", "a[a[a[a[a[a[a[a[a[a[a[a[0]]]]]]]]]]]]", "[0]", "0")]
    public void Bound_variable_case_evaluates_as_the_spec_says(string name, string expr, string binding, string expected)
    {
        Assert.NotEmpty(name);
        var value = CelProgram.Compile(binding, NoDeclarations.Instance).Evaluate(null);
        var variableName = expr.Contains('a', StringComparison.Ordinal) && !expr.Contains('x', StringComparison.Ordinal) ? "a" : "x";
        var declarations = new ConstantDeclarations(variableName, value);
        AssertResult(expected, CelProgram.Compile(expr, declarations).Evaluate(null), expr);
    }

    internal static void AssertResult(string expected, CelValue result, string expr)
    {
        if (expected.StartsWith("error", StringComparison.Ordinal))
        {
            Assert.True(result.IsError, $"{expr} should fail but gave {result}");
            if (expected.StartsWith("error:", StringComparison.Ordinal))
            {
                var fragment = expected["error:".Length..];
                Assert.Contains(fragment, result.ErrorValue.Message, StringComparison.OrdinalIgnoreCase);
            }

            return;
        }

        Assert.False(result.IsError, $"{expr} failed: {result}");
        Assert.Equal(expected, result.ToString());
    }

    internal sealed class NoDeclarations : ICelDeclarations
    {
        public static NoDeclarations Instance { get; } = new();

        public CelVariable? FindVariable(string name) => null;

        public CelVariable? FindDataVariable(string path, string typeName, out string? error)
        {
            error = "no data here";
            return null;
        }
    }

    internal sealed class ConstantDeclarations(string name, CelValue value) : ICelDeclarations
    {
        public CelVariable? FindVariable(string n) => n == name ? new CelVariable(TypeOf(value), (ref CelFrame _) => value) : null;

        public CelVariable? FindDataVariable(string path, string typeName, out string? error)
        {
            error = "no data here";
            return null;
        }

        private static CelType TypeOf(CelValue v) => v.Kind == CelKind.List && v.ListValue.Length > 0 && v.ListValue.All(i => i.Kind == v.ListValue[0].Kind)
            ? CelType.List(CelType.Of(v.ListValue[0].Kind))
            : CelType.Of(v.Kind);
    }
}
