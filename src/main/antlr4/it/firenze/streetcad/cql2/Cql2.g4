// CQL2 text encoding (OGC 21-065r2), written from the standard's BNF (Annex B) for the conformance classes
// StreetCad implements: basic CQL2, advanced comparison operators, spatial and temporal functions.
// Rule names follow the BNF; keywords are case-insensitive as the standard says.
grammar Cql2;

options { caseInsensitive = true; }

cql2Text : booleanExpression EOF ;

booleanExpression : booleanTerm (OR booleanTerm)* ;
booleanTerm : booleanFactor (AND booleanFactor)* ;
booleanFactor : NOT? booleanPrimary ;
booleanPrimary
    : predicate
    | booleanLiteral
    | LEFTPAREN booleanExpression RIGHTPAREN
    ;

predicate
    : comparisonPredicate
    | spatialPredicate
    | temporalPredicate
    ;

comparisonPredicate
    : binaryComparisonPredicate
    | isLikePredicate
    | isBetweenPredicate
    | isInListPredicate
    | isNullPredicate
    ;

binaryComparisonPredicate : scalarExpression comparisonOperator scalarExpression ;
comparisonOperator : EQ | NEQ | LT | GT | LTEQ | GTEQ ;

isLikePredicate : characterExpression NOT? LIKE patternExpression ;
patternExpression : characterLiteral ;
characterExpression : characterLiteral | propertyName ;

isBetweenPredicate : numericExpression NOT? BETWEEN numericExpression AND numericExpression ;
numericExpression : numericLiteral | propertyName ;

isInListPredicate : scalarExpression NOT? IN LEFTPAREN scalarExpression (COMMA scalarExpression)* RIGHTPAREN ;

isNullPredicate : isNullOperand IS NOT? NULL ;
isNullOperand : propertyName | characterLiteral | numericLiteral | booleanLiteral | instantLiteral | spatialInstance ;

scalarExpression
    : characterLiteral
    | numericLiteral
    | booleanLiteral
    | instantLiteral
    | propertyName
    ;

spatialPredicate : SPATIAL_FUNCTION LEFTPAREN geomExpression COMMA geomExpression RIGHTPAREN ;
geomExpression : spatialInstance | propertyName ;

temporalPredicate : TEMPORAL_FUNCTION LEFTPAREN temporalExpression COMMA temporalExpression RIGHTPAREN ;
temporalExpression : temporalInstance | propertyName ;
temporalInstance : instantLiteral | intervalLiteral ;
instantLiteral : dateInstant | timestampInstant ;
dateInstant : DATE LEFTPAREN characterLiteral RIGHTPAREN ;
timestampInstant : TIMESTAMP LEFTPAREN characterLiteral RIGHTPAREN ;
intervalLiteral : INTERVAL LEFTPAREN instantParameter COMMA instantParameter RIGHTPAREN ;
instantParameter : dateInstant | timestampInstant | characterLiteral | propertyName ;

spatialInstance
    : pointTaggedText
    | linestringTaggedText
    | polygonTaggedText
    | multipointTaggedText
    | multilinestringTaggedText
    | multipolygonTaggedText
    | geometryCollectionTaggedText
    | bboxTaggedText
    ;
pointTaggedText : POINT pointText ;
pointText : LEFTPAREN point RIGHTPAREN ;
point : signedNumber signedNumber signedNumber? ;
linestringTaggedText : LINESTRING lineStringText ;
lineStringText : LEFTPAREN point (COMMA point)* RIGHTPAREN ;
polygonTaggedText : POLYGON polygonText ;
polygonText : LEFTPAREN lineStringText (COMMA lineStringText)* RIGHTPAREN ;
multipointTaggedText : MULTIPOINT LEFTPAREN (pointText | point) (COMMA (pointText | point))* RIGHTPAREN ;
multilinestringTaggedText : MULTILINESTRING LEFTPAREN lineStringText (COMMA lineStringText)* RIGHTPAREN ;
multipolygonTaggedText : MULTIPOLYGON LEFTPAREN polygonText (COMMA polygonText)* RIGHTPAREN ;
geometryCollectionTaggedText : GEOMETRYCOLLECTION LEFTPAREN spatialInstance (COMMA spatialInstance)* RIGHTPAREN ;
bboxTaggedText : BBOX LEFTPAREN signedNumber (COMMA signedNumber)+ RIGHTPAREN ;

propertyName : IDENTIFIER | QUOTED_IDENTIFIER ;
characterLiteral : CHARACTER_STRING ;
numericLiteral : signedNumber ;
signedNumber : (PLUS | MINUS)? UNSIGNED_NUMBER ;
booleanLiteral : TRUE | FALSE ;

// Keywords come before IDENTIFIER so that they win; a property named like a keyword can be double-quoted.
AND : 'AND' ;
OR : 'OR' ;
NOT : 'NOT' ;
LIKE : 'LIKE' ;
BETWEEN : 'BETWEEN' ;
IN : 'IN' ;
IS : 'IS' ;
NULL : 'NULL' ;
TRUE : 'TRUE' ;
FALSE : 'FALSE' ;
DATE : 'DATE' ;
TIMESTAMP : 'TIMESTAMP' ;
INTERVAL : 'INTERVAL' ;
POINT : 'POINT' ;
LINESTRING : 'LINESTRING' ;
POLYGON : 'POLYGON' ;
MULTIPOINT : 'MULTIPOINT' ;
MULTILINESTRING : 'MULTILINESTRING' ;
MULTIPOLYGON : 'MULTIPOLYGON' ;
GEOMETRYCOLLECTION : 'GEOMETRYCOLLECTION' ;
BBOX : 'BBOX' ;
SPATIAL_FUNCTION : 'S_INTERSECTS' | 'S_EQUALS' | 'S_DISJOINT' | 'S_TOUCHES' | 'S_WITHIN' | 'S_OVERLAPS'
                 | 'S_CROSSES' | 'S_CONTAINS' ;
TEMPORAL_FUNCTION : 'T_AFTER' | 'T_BEFORE' | 'T_CONTAINS' | 'T_DISJOINT' | 'T_DURING' | 'T_EQUALS'
                  | 'T_FINISHEDBY' | 'T_FINISHES' | 'T_INTERSECTS' | 'T_MEETS' | 'T_METBY' | 'T_OVERLAPPEDBY'
                  | 'T_OVERLAPS' | 'T_STARTEDBY' | 'T_STARTS' ;

EQ : '=' ;
NEQ : '<>' ;
LTEQ : '<=' ;
GTEQ : '>=' ;
LT : '<' ;
GT : '>' ;
LEFTPAREN : '(' ;
RIGHTPAREN : ')' ;
COMMA : ',' ;
PLUS : '+' ;
MINUS : '-' ;

UNSIGNED_NUMBER : DIGIT+ ('.' DIGIT*)? EXPONENT? | '.' DIGIT+ EXPONENT? ;
fragment EXPONENT : 'E' [+-]? DIGIT+ ;
fragment DIGIT : [0-9] ;

CHARACTER_STRING : '\'' ('\'\'' | ~'\'')* '\'' ;
QUOTED_IDENTIFIER : '"' ~'"'+ '"' ;
IDENTIFIER : [A-Z_:] [A-Z0-9_:.]* ;

WHITESPACE : [ \t\r\n]+ -> skip ;
