(** * Semantics of stochastic graphs

    This file gives a stochastic graph its meaning at the real numbers: the
    distribution of the environment obtained by running the nodes in order,
    and expectations under it as iterated Lebesgue integrals.

    - [gauss_pdf m s x]: the density of N(m, s^2) at [x] ([s] a standard
      deviation).
    - [Lint f]: the Lebesgue integral of [f : R -> R] over the whole line
      (mathcomp-analysis [lebesgue_measure], on Stdlib [R]); [Lintegrable f]:
      [f] is Lebesgue integrable (measurable with a finite integral of [|f|]).
      [Lint f] is [0] when the integral of [f] is not finite.
    - [dist A]: a distribution over [A] built from scalar draws with a
      density: [Ret a] is the point [a]; [Draw dens k] draws [x] with density
      [dens] (w.r.t. Lebesgue measure) and continues with [k x].
      [expect F D] is the expectation of [F] under [D]: one Lebesgue integral
      per draw, innermost last, [Lint (fun x => dens x * expect F (k x))].
    - [run_nodes]: the graph's nodes run in order from an environment of
      values; a deterministic node computes its value from its parents; a
      random node of [n] entries draws them one at a time, entry [k] from
      N(mu_k, sigma_k^2) ([mvn], parents mu and sigma) or N(0, 1)
      ([mvn_std]); the result is the final environment together with the
      draws (an environment of the random nodes' values, the argument that
      [forward] and [backprop] take).
    - [graph_dist g inputs], [expected_cost g inputs] (the expectation of
      the total cost, E[sum of costs]) and [expected_grad g inputs p j]
      (the expectation of entry [j] of [backprop]'s result for parameter
      [p], over the same draws).
    - [set_input_entry inputs p j t]: the inputs with entry [j] of [p]
      replaced by [t] (the curve along which the theorem differentiates).

    The last sections prove the facts about [Lint] the unbiasedness proof
    uses (linearity, differentiation under [Lint] from Leibniz.v,
    integrability of the derivative) and the integrability criterion the
    examples use ([Lintegrable_exp_bound]: continuous and bounded by
    [K e^(-|x|)]), stated with Stdlib/Coquelicot notions so that the other
    files need not import mathcomp-analysis. *)

From Coq Require Import Reals.
From HB Require Import structures.
From mathcomp Require Import all_ssreflect ssralg ssrnum ssrint interval finmap.
From mathcomp.classical Require Import boolp classical_sets functions mathcomp_extra.
From mathcomp.classical Require Import cardinality fsbigop.
From mathcomp.analysis Require Import signed reals ereal topology normedtype Rstruct.
From mathcomp.analysis Require Import sequences esum measure lebesgue_measure.
From mathcomp.analysis Require Import numfun lebesgue_integral derive.
From Certigrad Require Import Leibniz DeriveBridge.
Import Order.TTheory GRing.Theory Num.Def Num.Theory.
Import numFieldNormedType.Exports.
(* The Stdlib list functions ([map], [nth], [seq]) and Coquelicot's
   derivatives, imported last, take precedence over the mathcomp names. *)
From Coq Require Import String List.
From Coquelicot Require Import Coquelicot.
From Certigrad Require Import Scalar Tensor Ops Graph Backprop.
Import ListNotations.

(** * The Lebesgue integral over R *)


Definition Lint (f : R -> R) : R :=
  fine (\int[@lebesgue_measure real_realType]_(x in setT) (f x)%:E)%E.

Definition Lintegrable (f : R -> R) : Prop :=
  (@lebesgue_measure real_realType).-integrable setT (EFin \o f).

Local Open Scope R_scope.

(** * The Gaussian density *)

(** Density of N(m, s^2) at [x], for [s > 0]. *)
Definition gauss_pdf (m s x : R) : R :=
  exp (- ((x - m) * (x - m)) / (2 * (s * s))) / (s * sqrt (2 * PI)).

(** * Distributions built from scalar draws *)

Inductive dist (A : Type) : Type :=
| Ret (a : A)
| Draw (dens : R -> R) (k : R -> dist A).

Arguments Ret {A} a.
Arguments Draw {A} dens k.

Fixpoint expect {A : Type} (F : A -> R) (D : dist A) : R :=
  match D with
  | Ret a => F a
  | Draw dens k => Lint (fun x => dens x * expect F (k x))
  end.

(** Draw one scalar per density of [ds], in order, and continue with the
    list of the draws. *)
Fixpoint draw_list {A : Type} (ds : list (R -> R)) (k : list R -> dist A) : dist A :=
  match ds with
  | [] => k []
  | d :: ds' => Draw d (fun x => draw_list ds' (fun xs => k (x :: xs)))
  end.

(** * Random nodes *)

(** The density of entry [k] of a random node with operator [o], whose
    parents have the values [xs]: N(mu_k, sigma_k^2) for [mvn] (parents mu,
    sigma), N(0, 1) for [mvn_std]. *)
Definition entry_dens (o : rop) (xs : list (list R)) (k : nat) : R -> R :=
  match o with
  | Mvn => gauss_pdf (nth k (nth 0 xs []) 0) (nth k (nth 1 xs []) 0)
  | MvnStd => gauss_pdf 0 1
  end.

(** The densities of the [n] entries, in order. *)
Definition rand_dens (o : rop) (xs : list (list R)) (n : nat) : list (R -> R) :=
  map (entry_dens o xs) (seq 0 n).

(** * Running the nodes *)

(** Run [ns] from the values [vals] and the draws [draws] made so far;
    [se] gives the shapes of the references (for the operators' shape
    arguments).  The result is a distribution over the pairs (final values,
    final draws); each new value or draw is put in front. *)
Fixpoint run_nodes (se : senv) (ns : list (node R)) (vals draws : env R)
    : dist (env R * env R) :=
  match ns with
  | [] => Ret (vals, draws)
  | n :: ns' =>
      match n with
      | NDet r o ps =>
          run_nodes se ns'
            ((ref_name r, dop_forward R_ops o (parent_shapes se ps) (map (find_val vals) ps))
               :: vals) draws
      | NRand r o ps =>
          draw_list (rand_dens o (map (find_val vals) ps) (shape_size (ref_shape r)))
            (fun x => run_nodes se ns' ((ref_name r, x) :: vals) ((ref_name r, x) :: draws))
      end
  end.

(** The distribution of (environment, draws) of a graph run from [inputs]. *)
Definition graph_dist (g : graph R) (inputs : env R) : dist (env R * env R) :=
  run_nodes (shape_env g) (g_nodes g) inputs [].

(** E[sum of costs]. *)
Definition expected_cost (g : graph R) (inputs : env R) : R :=
  expect (fun vd => total_cost R_ops g (fst vd)) (graph_dist g inputs).

(** E[entry [j] of backprop's gradient for [p]], over the same draws: the
    draws of each run are given to the very [backprop] of Backprop.v. *)
Definition expected_grad (g : graph R) (inputs : env R) (p : string) (j : nat) : R :=
  expect (fun vd => nth j (find_val (backprop R_ops g inputs (snd vd)) p) 0)
    (graph_dist g inputs).

(** * Moving one entry of one input *)

Fixpoint replace_at {A : Type} (j : nat) (a : A) (l : list A) : list A :=
  match l, j with
  | [], _ => []
  | _ :: l', O => a :: l'
  | x :: l', S j' => x :: replace_at j' a l'
  end.

(** Entry [j] of the value of [p] (its first binding) replaced by [t]. *)
Fixpoint set_input_entry (e : env R) (p : string) (j : nat) (t : R) : env R :=
  match e with
  | [] => []
  | (k, v) :: e' =>
      if String.eqb p k then (k, replace_at j t v) :: e'
      else (k, v) :: set_input_entry e' p j t
  end.

(** * Facts about [Lint] *)

Section Lint_facts.
Local Open Scope ring_scope.

Let in_itv_oo (a b t : R) : Rlt a t /\ Rlt t b -> t \in `]a, b[.
Proof. by move=> [/RltP at_ /RltP tb]; rewrite in_itv /= at_ tb. Qed.

Let in_itv_oo_inv (a b t : R) : t \in `]a, b[ -> Rlt a t /\ Rlt t b.
Proof. by rewrite in_itv /= => /andP[/RltP ? /RltP ?]. Qed.

Lemma Lint_ext (f g : R -> R) : (forall x, f x = g x) -> Lint f = Lint g.
Proof. by move=> fg; congr Lint; apply: funext. Qed.

(** Linearity, for integrable functions. *)
Lemma Lint_plus_scal (f g : R -> R) (c : R) :
  Lintegrable f -> Lintegrable g ->
  Lint (fun x => Rplus (f x) (Rmult c (g x))) = Rplus (Lint f) (Rmult c (Lint g)).
Proof.
move=> If Ig; rewrite /Lint.
have Icg : Lintegrable (fun x => Rmult c (g x)).
  have := integrablerM measurableT c Ig.
  by apply: eq_integrable => // x _ /=; rewrite EFinM.
rewrite (_ : (fun x => (Rplus (f x) (Rmult c (g x)))%:E) =
             (EFin \o f) \+ (EFin \o (fun x => Rmult c (g x))))%E; last first.
  by apply: funext => x /=; rewrite EFinD.
rewrite integralD_EFin //.
rewrite (_ : (\int[lebesgue_measure]_(x in setT) (EFin \o (fun x => Rmult c (g x))) x)%E =
             (c%:E * \int[lebesgue_measure]_(x in setT) (EFin \o g) x)%E); last first.
  by rewrite -integralM //; apply: eq_integral => x _ /=; rewrite EFinM.
rewrite fineD //; last first.
- by rewrite fin_numM // integral_fune_fin_num.
- exact: integral_fune_fin_num.
by rewrite fineM // integral_fune_fin_num.
Qed.

(** Differentiation under [Lint] on an open interval (Leibniz.v through
    DeriveBridge.v), with the integrability of the derivative. *)
Lemma leibniz_Lint (f df : R -> R -> R) (G : R -> R) (a b : R) :
  (forall t, Rlt a t /\ Rlt t b -> Lintegrable (f t)) ->
  (forall x t, Rlt a t /\ Rlt t b -> is_derive (fun s => f s x) t (df t x)) ->
  Lintegrable G ->
  (forall x t, Rlt a t /\ Rlt t b -> Rle (Rabs (df t x)) (G x)) ->
  forall t, Rlt a t /\ Rlt t b ->
  is_derive (fun s => Lint (f s)) t (Lint (df t)) /\ Lintegrable (df t).
Proof.
move=> If Df IG DG t tab; split.
  apply: (@leibniz_Coquelicot _ _ (@lebesgue_measure real_realType) setT measurableT
            f df G a b) => //.
  - by move=> s /in_itv_oo_inv; apply: If.
  - by move=> x _ s /in_itv_oo_inv; apply: Df.
  - by move=> x _ s /in_itv_oo_inv sab; apply/RleP; apply: DG.
  exact: in_itv_oo.
apply: (@leibniz_integrable _ _ _ (@lebesgue_measure real_realType) setT measurableT
          f df G a b) => //.
- by move=> s /in_itv_oo_inv; apply: If.
- by move=> x _ s /in_itv_oo_inv sab; apply/is_derive_Coquelicot; apply: Df.
- by move=> x _ s /in_itv_oo_inv sab; apply/RleP; apply: DG.
exact: in_itv_oo.
Qed.

End Lint_facts.

(** * Integrability from exponential decay

    [Lintegrable_exp_bound]: a continuous [f] with [|f x| <= K e^(-|x|)] is
    Lebesgue integrable.  Proof: [e^(-|x|)] is below the step function
    [sum_n 2^-n (1_[n, n+1[ + 1_[-(n+1), -n[)], whose integral is at most 4
    (monotone convergence through [integral_nneseries], a geometric
    series). *)

Section exp_decay.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Let q : R := 2^-1.

Let q0 : 0 <= q. Proof. by rewrite /q invr_ge0 ler0n. Qed.

Let geo_le2 : (\sum_(n <oo) (q ^+ n)%:E <= 2%:E)%E.
Proof.
apply: lime_le; first by apply: is_cvg_nneseries => n _; rewrite lee_fin exprn_ge0.
apply: nearW => n; rewrite sumEFin lee_fin.
have qlt1 : q < 1 by rewrite /q invf_lt1 // ltr1n.
have q1 : q != 1 by rewrite lt_eqF.
have := geometric_seriesE 1 q1 => /(congr1 (fun s => s n)) /=.
rewrite /series /= => E.
rewrite (eq_bigr (fun k => 1 * q ^+ k)); last by move=> i _; rewrite mul1r.
rewrite E mul1r.
have -> : 1 - q = q by rewrite /q {1}[1](splitr 1) div1r addrK.
rewrite ler_pdivr_mulr; last by rewrite /q invr_gt0 ltr0n.
rewrite /q mulfV ?pnatr_eq0 // ler_subl_addr ler_addl exprn_ge0 // invr_ge0 ler0n.
Qed.

Let series_int (A : nat -> set (salgebraType (real_realType.-ocitv.-measurable))) :
  (forall n, measurable (A n)) ->
  (forall n, (@lebesgue_measure real_realType) (A n) = 1%E) ->
  (\int[@lebesgue_measure real_realType]_(x in setT) (\sum_(n <oo) (q ^+ n * \1_(A n) x)%:E) <= 2%:E)%E.
Proof.
move=> mA muA.
rewrite integral_nneseries //; last 2 first.
- move=> n; apply/EFin_measurable_fun/measurable_funrM/measurable_fun_indic; exact: mA.
- by move=> n x _; rewrite lee_fin mulr_ge0 // ?exprn_ge0 // indicE; case: (_ \in _).
rewrite (eq_eseries (g := fun n => (q ^+ n)%:E)); first exact: geo_le2.
move=> n _.
under eq_integral do rewrite EFinM.
rewrite ge0_integralM_EFin //; last 3 first.
- by move=> x _; rewrite lee_fin indicE; case: (_ \in _).
- apply/EFin_measurable_fun/measurable_fun_indic; exact: mA.
- exact: exprn_ge0.
rewrite integral_indic // setIT.
transitivity ((q ^+ n)%:E * 1)%E; last by rewrite mule1.
by congr (_ * _)%E; exact: muA.
Qed.

Let exp_mono (x y : R) : x <= y -> exp x <= exp y.
Proof.
move=> /RleP xy; apply/RleP; case: (Rle_lt_or_eq_dec _ _ xy) => [h|->].
  by apply: Rlt_le; apply: exp_increasing.
exact: Rle_refl.
Qed.

Let exp_le_q (y : R) (n : nat) : n%:R <= y -> exp (- y) <= q ^+ n.
Proof.
move=> ny.
have e1 : exp (-1) <= q.
  rewrite /q exp_Ropp -[X in _ <= X]RinvE ?pnatr_eq0 //.
  apply/RleP; apply: Rinv_le_contravar; first by apply/RltP; rewrite ltr0n.
  exact: exp_ineq1_le.
apply: (@le_trans _ _ (exp (- n%:R))).
  by apply: exp_mono; rewrite ler_oppr opprK.
have -> : exp (- (n%:R)) = exp (-1) ^+ n by rewrite expRX mulNrn.
elim: n {ny} => [|n IH]; first by rewrite !expr0.
rewrite !exprS; apply: ler_pmul => //; [apply/ltW/RltP; exact: exp_pos|].
by apply: exprn_ge0; apply/ltW/RltP; exact: exp_pos.
Qed.

Let B (n : nat) : set R := [set` `[(n%:R : R), n.+1%:R[ ].
Let C (n : nat) : set R := [set` `[(- n.+1%:R : R), (- n%:R)[ ].

Let int1 (n : nat) (a : R) : (@lebesgue_measure real_realType) [set` `[a, (a + 1)[ ] = 1%E.
Proof. by rewrite lebesgue_measure_itv hlength_itv /= lte_fin ltr_addl ltr01 -EFinD addrAC subrr add0r. Qed.

Let S1_int : (\int[@lebesgue_measure real_realType]_(x in setT)
                 (\sum_(n <oo) (q ^+ n * \1_(B n) x)%:E) <= 2%:E)%E.
Proof.
apply: series_int => n; first exact: measurable_itv.
rewrite /B (_ : n.+1%:R = n%:R + 1); first exact: int1.
by rewrite -addn1 natrD.
Qed.

Let S2_int : (\int[@lebesgue_measure real_realType]_(x in setT)
                 (\sum_(n <oo) (q ^+ n * \1_(C n) x)%:E) <= 2%:E)%E.
Proof.
apply: series_int => n; first exact: measurable_itv.
rewrite /C (_ : - n%:R = - n.+1%:R + 1); first exact: int1.
by rewrite -addn1 natrD opprD addrNK.
Qed.

Let floor_nat (y : R) : 0 <= y -> exists n : nat, n%:R <= y /\ y < n.+1%:R.
Proof.
move=> y0.
have hP : exists n, (fun n : nat => y < n.+1%:R) n.
  exists (Num.bound y); apply: (lt_trans (archi_boundP y0)).
  by rewrite ltr_nat.
case: (ex_minnP hP) => m ym mmin; exists m; split => //.
case: m ym mmin => [|m] ym mmin; first by [].
rewrite leNgt; apply/negP => ylt.
by have := mmin m ylt; rewrite ltnn.
Qed.

Let ceil_nat (y : R) : 0 < y -> exists n : nat, n%:R < y /\ y <= n.+1%:R.
Proof.
move=> y0.
have hP : exists n, (fun n : nat => y <= n.+1%:R) n.
  exists (Num.bound y); apply/ltW/(lt_trans (archi_boundP (ltW y0))).
  by rewrite ltr_nat.
case: (ex_minnP hP) => m ym mmin; exists m; split => //.
case: m ym mmin => [|m] ym mmin; first by [].
rewrite ltNge; apply/negP => ylt.
by have := mmin m ylt; rewrite ltnn.
Qed.

Let term_le_series (u : nat -> \bar R) (n : nat) :
  (forall k, (0 <= u k)%E) -> (u n <= \sum_(k <oo) u k)%E.
Proof.
move=> u0; apply: (@le_trans _ _ (\sum_(0 <= k < n.+1) u k)%E); last first.
  exact: nneseries_lim_ge.
by rewrite big_nat_recr //= lee_addr // sume_ge0.
Qed.

Lemma Lintegrable_exp_neg_abs : Lintegrable (fun x => exp (- Rabs x)).
Proof.
split.
  apply/EFin_measurable_fun; apply: continuous_measurable_fun => x.
  have h : continuity_pt (fun x => exp (- Rabs x)) x.
    apply: (continuity_pt_comp (fun x => - Rabs x) exp).
      apply: continuity_pt_opp; exact: Rcontinuity_abs.
    exact: derivable_continuous_pt (derivable_pt_exp _).
  exact: (proj1 (continuity_ptE _ _) h).
have ep x : (0 <= exp x)%R by apply/ltW/RltP; exact: exp_pos.
under eq_integral => x _ do rewrite gee0_abs ?lee_fin //.
pose S1 : R -> \bar R := fun x => (\sum_(n <oo) (q ^+ n * \1_(B n) x)%:E)%E.
pose S2 : R -> \bar R := fun x => (\sum_(n <oo) (q ^+ n * \1_(C n) x)%:E)%E.
have t0 (A : nat -> set R) k x : (0 <= (q ^+ k * \1_(A k) x)%:E)%E.
  by rewrite lee_fin mulr_ge0 ?exprn_ge0 // indicE; case: (_ \in _).
have S10 x : (0 <= S1 x)%E by apply: nneseries_ge0 => n _; exact: t0.
have S20 x : (0 <= S2 x)%E by apply: nneseries_ge0 => n _; exact: t0.
apply: (@le_lt_trans _ _ (\int[lebesgue_measure]_(x in setT) (S1 x + S2 x))%E).
  apply: ge0_le_integral => //.
  - by move=> x _; rewrite lee_fin.
  - apply/EFin_measurable_fun; apply: continuous_measurable_fun => x.
    have h : continuity_pt (fun x => exp (- Rabs x)) x.
      apply: (continuity_pt_comp (fun x => - Rabs x) exp).
        apply: continuity_pt_opp; exact: Rcontinuity_abs.
      exact: derivable_continuous_pt (derivable_pt_exp _).
    exact: (proj1 (continuity_ptE _ _) h).
  - by move=> x _; apply: adde_ge0.
  - apply: emeasurable_funD.
    + apply: ge0_emeasurable_fun_sum => [k x|k]; first exact: t0.
      by apply/EFin_measurable_fun/measurable_funrM/measurable_fun_indic; exact: measurable_itv.
    + apply: ge0_emeasurable_fun_sum => [k x|k]; first exact: t0.
      by apply/EFin_measurable_fun/measurable_funrM/measurable_fun_indic; exact: measurable_itv.
  move=> x _; case: (lerP 0 x) => x0.
  + have [n [h1 h2]] := floor_nat x x0.
    apply: (le_trans _ (lee_addl _ (S20 x))).
    apply: (le_trans _ (term_le_series (fun k => (q ^+ k * \1_(B k) x)%:E) n (t0 B ^~ x))).
    rewrite indicE mem_set; last by rewrite /B /= in_itv /= h1 h2.
    rewrite mulr1 lee_fin; apply: exp_le_q.
    by rewrite (_ : Rabs x = `|x|) // ger0_norm.
  + have y0 : 0 < - x by rewrite oppr_gt0.
    have [n [h1 h2]] := ceil_nat (- x) y0.
    apply: (le_trans _ (lee_addr _ (S10 x))).
    apply: (le_trans _ (term_le_series (fun k => (q ^+ k * \1_(C k) x)%:E) n (t0 C ^~ x))).
    rewrite indicE mem_set; last first.
      by rewrite /C /= in_itv /= ler_oppl h2 /= -ltr_oppr h1.
    rewrite mulr1 lee_fin; apply: exp_le_q.
    by rewrite (_ : Rabs x = `|x|) // ltr0_norm // ltW.
rewrite ge0_integralD //.
all: try (by move=> x _; first [exact: S10|exact: S20]).
all: try (apply: ge0_emeasurable_fun_sum => [k x|k]; [exact: t0|
  by apply/EFin_measurable_fun/measurable_funrM/measurable_fun_indic; exact: measurable_itv]).
apply: (@le_lt_trans _ _ (2%:E + 2%:E)%E); first exact: lee_add S1_int S2_int.
by rewrite -EFinD ltry.
Qed.

Lemma Lintegrable_exp_bound (f : R -> R) (K : R) :
  (forall x, continuity_pt f x) ->
  (forall x, Rle (Rabs (f x)) (Rmult K (exp (- Rabs x)))) -> Lintegrable f.
Proof.
move=> cf fK.
have K0 : 0 <= K.
  have := fK 0; move/RleP => h.
  have e0 : 0 < exp (- Rabs 0) by apply/RltP; exact: exp_pos.
  by rewrite -(pmulr_lge0 K e0); exact: (le_trans (normr_ge0 (f 0)) h).
have IK : Lintegrable (fun x => K * exp (- Rabs x)).
  have := integrablerM measurableT K Lintegrable_exp_neg_abs.
  by apply: eq_integrable => // x _ /=; rewrite EFinM.
apply: le_integrable IK => //.
- apply/EFin_measurable_fun; apply: continuous_measurable_fun => x.
  exact: (proj1 (continuity_ptE _ _) (cf x)).
- move=> x _ /=; rewrite lee_fin.
  rewrite (_ : `|K * exp (- Rabs x)| = K * exp (- Rabs x)); first by apply/RleP; exact: fK.
  by rewrite ger0_norm // mulr_ge0 // ltW //; apply/RltP; exact: exp_pos.
Qed.

End exp_decay.
