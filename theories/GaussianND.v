(** * Diagonal Gaussians on R^n as iterated one-dimensional expectations

    Coordinates are drawn one scalar at a time, as in the stochastic-backprop
    semantics (Stochastic.v):
    - [gauss_expect_n ms f] is E[f xs] for xs ~ N(mu, diag s^2), where
      [ms = [:: (m_1, s_1); ...; (m_n, s_n)]]: the first coordinate is
      integrated last (outermost [gauss_expect]);
    - [std_gauss_expect n f] is the standard case N(0, I_n);
    - [gauss_pdf_n ms xs] is the product density, positive
      ([gauss_pdf_n_gt0]).
    Moments need no Fubini theorem: an inner expectation of a function that
    does not depend on its own coordinate is that function times the mass 1
    ([gauss_expect_cst]); so E_n[1] = 1 ([gauss_expect_n_cst]) and the law of
    each coordinate is its one-dimensional Gaussian ([gauss_expect_n_coord]),
    which gives means and variances. *)
From Coq Require Import Reals Lra Psatz.
From HB Require Import structures.
From mathcomp Require Import all_ssreflect ssralg ssrnum ssrint interval finmap.
From mathcomp.classical Require Import boolp classical_sets functions cardinality fsbigop mathcomp_extra set_interval.
From mathcomp.analysis Require Import signed reals ereal topology normedtype sequences esum measure lebesgue_measure numfun lebesgue_integral derive realfun Rstruct exp trigo.
From Certigrad Require Import Leibniz LebesgueFTC Gaussian ExpectationSwap GaussianIntegral.
Import Order.TTheory GRing.Theory Num.Def Num.Theory.
Import numFieldNormedType.Exports.
Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.
Notation lambda := (@lebesgue_measure R).

(** * Definitions *)

Fixpoint gauss_expect_n (ms : seq (R * R)) (f : seq R -> R) : R :=
  match ms with
  | [::] => f [::]
  | (m, s) :: ms' =>
      gauss_expect m s (fun x => gauss_expect_n ms' (fun xs => f (x :: xs)))
  end.

Definition std_gauss_expect (n : nat) (f : seq R -> R) : R :=
  gauss_expect_n (nseq n (0, 1)) f.

Fixpoint gauss_pdf_n (ms : seq (R * R)) (xs : seq R) : R :=
  match ms, xs with
  | (m, s) :: ms', x :: xs' => gauss_pdf m s x * gauss_pdf_n ms' xs'
  | _, _ => 1
  end.

(** All standard deviations are positive. *)
Definition gauss_params_pos (ms : seq (R * R)) : bool := all (fun p => 0 < p.2) ms.

Lemma gauss_pdf_n_gt0 ms xs : 0 < gauss_pdf_n ms xs.
Proof.
elim: ms xs => [|[m s] ms IH] [|x xs] //=.
by rewrite mulr_gt0// gauss_pdf_gt0.
Qed.

Lemma std_params_pos n : gauss_params_pos (nseq n (0, 1)).
Proof. by rewrite /gauss_params_pos all_nseq ltr01 orbT. Qed.

(** * Mass, means and variances *)

Lemma gauss_expect_cst m s (c : R) : 0 < s -> gauss_expect m s (fun=> c) = c.
Proof.
move=> s0; rewrite (@gauss_expect_ext _ _ _ (fun x => c * 1)) => [|x]; last first.
  by rewrite mulr1.
rewrite gauss_expectZ; last exact: gauss_integrable1.
by rewrite -/(gauss_mass m s) gauss_mass_one// mulr1.
Qed.

Lemma gauss_expect_n_ext ms (f g : seq R -> R) : f =1 g ->
  gauss_expect_n ms f = gauss_expect_n ms g.
Proof. by move=> /funext ->. Qed.

(** Expectation of a constant; with [c = 1], the total mass is 1. *)
Lemma gauss_expect_n_cst ms (c : R) : gauss_params_pos ms ->
  gauss_expect_n ms (fun=> c) = c.
Proof.
elim: ms => [//|[m s] ms IH] /= /andP[s0 /IH {}IH].
by rewrite (@gauss_expect_ext _ _ _ (fun=> c)) ?gauss_expect_cst.
Qed.

Corollary gauss_expect_n_mass ms : gauss_params_pos ms ->
  gauss_expect_n ms (fun=> 1) = 1.
Proof. exact: gauss_expect_n_cst. Qed.

(** The i-th coordinate has law N(m_i, s_i^2). *)
Lemma gauss_expect_n_coord ms i (h : R -> R) : gauss_params_pos ms ->
  (i < size ms)%N ->
  gauss_expect_n ms (fun xs => h (nth 0 xs i)) =
  gauss_expect (nth (0, 1) ms i).1 (nth (0, 1) ms i).2 h.
Proof.
elim: ms i => [//|[m s] ms IH] [|i] /= /andP[s0 pos] ilt.
  by apply: gauss_expect_ext => x; rewrite gauss_expect_n_cst.
rewrite (@gauss_expect_ext _ _ _ (fun=> gauss_expect (nth (0, 1) ms i).1
  (nth (0, 1) ms i).2 h)) ?gauss_expect_cst// => x.
exact: IH.
Qed.

Lemma gauss_params_nth ms i : gauss_params_pos ms -> (i < size ms)%N ->
  0 < (nth (0, 1) ms i).2.
Proof. by move=> /all_nthP; apply. Qed.

Theorem gauss_expect_n_mean ms i : gauss_params_pos ms -> (i < size ms)%N ->
  gauss_expect_n ms (fun xs => nth 0 xs i) = (nth (0, 1) ms i).1.
Proof.
move=> pos ilt; have := gauss_expect_n_coord (fun x => x) pos ilt.
by move=> ->; rewrite gauss_mean// gauss_params_nth.
Qed.

Theorem gauss_expect_n_variance ms i : gauss_params_pos ms -> (i < size ms)%N ->
  gauss_expect_n ms (fun xs => (nth 0 xs i - (nth (0, 1) ms i).1) ^+ 2) =
  (nth (0, 1) ms i).2 ^+ 2.
Proof.
move=> pos ilt.
have := gauss_expect_n_coord (fun x => (x - (nth (0, 1) ms i).1) ^+ 2) pos ilt.
by move=> ->; rewrite gauss_variance// gauss_params_nth.
Qed.

(** The standard Gaussian N(0, I_n). *)
Theorem std_gauss_mass n : std_gauss_expect n (fun=> 1) = 1.
Proof. exact/gauss_expect_n_mass/std_params_pos. Qed.

Theorem std_gauss_mean n i : (i < n)%N ->
  std_gauss_expect n (fun e => nth 0 e i) = 0.
Proof.
move=> ilt; rewrite /std_gauss_expect gauss_expect_n_mean ?std_params_pos//.
  by rewrite nth_nseq if_same.
by rewrite size_nseq.
Qed.

Theorem std_gauss_variance n i : (i < n)%N ->
  std_gauss_expect n (fun e => nth 0 e i ^+ 2) = 1.
Proof.
move=> ilt; rewrite /std_gauss_expect.
have := @gauss_expect_n_coord (nseq n (0, 1)) i (fun x => x ^+ 2)
  (std_params_pos n); rewrite size_nseq => /(_ ilt) ->.
by rewrite nth_nseq if_same /= gauss_second_moment ?ltr01// expr1n expr0n addr0.
Qed.
