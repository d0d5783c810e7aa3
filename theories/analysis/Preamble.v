(** * The mathcomp-analysis context of the analysis and semantics files

    One place for the imports every file on top of mathcomp-analysis 0.6
    uses: mathcomp's algebra, the classical library, the analysis library
    (reals, topology, measure, Lebesgue integral, derivatives, exp and
    trigonometry), the algebraic and order theories, and mathcomp's
    implicit-argument conventions.  A file imports it with
    [From Certigrad Require Import Preamble] and opens the scopes it works
    in ([ring_scope], [classical_set_scope]); the files on Stdlib [R]
    whose definitions others use with explicit arguments (Stochastic.v,
    GaussianBridge.v, AffineChange.v) restore Coq's defaults.  Files that also use
    Coquelicot import Coquelicot first (its [is_derive] and [continuous]
    are then shadowed by mathcomp's; write [Derive.is_derive]). *)

From Coq Require Export Reals Lra Psatz.
From HB Require Export structures.
From mathcomp Require Export all_ssreflect ssralg ssrnum ssrint interval finmap.
From mathcomp.classical Require Export boolp classical_sets functions cardinality fsbigop.
From mathcomp.classical Require Export mathcomp_extra set_interval.
From mathcomp.analysis Require Export signed reals ereal topology normedtype sequences esum.
From mathcomp.analysis Require Export measure lebesgue_measure numfun lebesgue_integral derive.
From mathcomp.analysis Require Export realfun Rstruct exp trigo.
Export Order.TTheory GRing.Theory Num.Def Num.Theory.
Export numFieldNormedType.Exports.
#[export] Set Implicit Arguments.
#[export] Unset Strict Implicit.
#[export] Unset Printing Implicit Defensive.
