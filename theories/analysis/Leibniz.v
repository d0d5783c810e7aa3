(** * Leibniz rule: differentiation under the Lebesgue integral

    This file proves, on top of mathcomp-analysis 0.6, that
    [t |-> \int[mu]_(x in D) f t x] is differentiable on an open interval
    [`]a, b[] with derivative [\int[mu]_(x in D) df t x], when
    - [f t] is [mu]-integrable on [D] for every [t] in [`]a, b[],
    - [t |-> f t x] has derivative [df t x] on [`]a, b[] for every [x] in [D]
      (an a.e. version, [leibniz_is_derive_ae], allows a null exceptional set),
    - [`|df t x| <= g x] with [g] integrable.
    The derivative notion is mathcomp's [is_derive t 1]; DeriveBridge.v relates
    it to Coquelicot's [is_derive].

    Tools proved on the way (there is no sequential characterisation of limits
    at [0^'] in 0.6): [cvg_dnbhs0_seq], [is_derive_seq], [is_derive1P],
    [near_dnbhs0P], and the mean-value bound [derive_lipschitz]. *)
From Certigrad Require Import Preamble.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.
Section real_tools.
Variable R : realType.

Lemma cvg_dnbhs0_seq (G : R -> R) (l r : R) : 0 < r ->
  (forall u : nat -> R, (forall n, u n != 0 /\ `|u n| < r) -> u --> 0 ->
     G \o u --> l) ->
  G x @[x --> 0^'] --> l.
Proof.
move=> r0 Hu; apply/cvgrPdist_lt => e e0; apply: contrapT => nH.
have H n : exists x : R,
    [/\ x != 0, `|x| < minr r n.+1%:R^-1 & e <= `|l - G x|].
  apply: contrapT => /forallNP Hn; apply: nH; rewrite near_withinE.
  apply/nbhs_ballP; exists (minr r n.+1%:R^-1) => /=.
    by rewrite lt_minr r0 invr_gt0 ltr0n.
  move=> x; rewrite /ball /= sub0r normrN => xn x0.
  by rewrite ltNge; apply/negP => exl; apply: (Hn x); split.
have [u Hu'] := choice H.
have u0 : u --> (0 : R).
  apply/cvgrPdist_lt => _/posnumP[d]; near=> n; rewrite sub0r normrN.
  have [_ + _] := Hu' n; move/lt_le_trans; apply.
  rewrite le_minl; apply/orP; right; apply: ltW.
  by near: n; exact: near_infty_natSinv_lt.
have ur n : u n != 0 /\ `|u n| < r.
  have [? + _] := Hu' n; rewrite lt_minr => /andP[].
  by split.
have /cvgrPdist_lt/(_ e e0) [N _ HN] := Hu u ur u0.
have := HN N (leqnn N); rewrite ltNge; have [_ _ ->] := Hu' N; by [].
Unshelve. all: by end_near. Qed.

Lemma cvg_seq_dnbhs0 (u : nat -> R) : (forall n, u n != 0) -> u --> (0 : R) ->
  u @ \oo --> (0 : R)^'.
Proof.
move=> u0 ucv P /= /nbhs_ballP[e /= e0 He].
have /cvgrPdist_lt/(_ e e0) := ucv; apply: filterS => n un.
by apply: He; [rewrite /ball/=|exact: u0].
Qed.

Lemma is_derive_seq (phi : R -> R) (t l : R) (u : nat -> R) :
  is_derive t 1 phi l -> (forall n, u n != 0) -> u --> (0 : R) ->
  (fun n => (u n)^-1 * (phi (u n + t) - phi t)) --> l.
Proof.
move=> [dphi <-] u0 ucv.
have := cvg_comp (cvg_seq_dnbhs0 u0 ucv) dphi.
apply: cvg_trans; apply: near_eq_cvg; near=> n => /=.
by rewrite -[(u n)%:A]/(u n * 1) mulr1.
Unshelve. all: by end_near. Qed.

Lemma derive_lipschitz (phi dphi : R -> R) (a b M : R) :
  (forall s, s \in `]a, b[ -> is_derive s 1 phi (dphi s)) ->
  (forall s, s \in `]a, b[ -> `|dphi s| <= M) ->
  forall s t, s \in `]a, b[ -> t \in `]a, b[ ->
  `|phi s - phi t| <= M * `|s - t|.
Proof.
move=> dphi_ boundM.
have key s t : s \in `]a, b[ -> t \in `]a, b[ -> t <= s ->
    `|phi s - phi t| <= M * `|s - t|.
  move=> sab tab ts.
  have sub : {subset `[t, s] <= `]a, b[}.
    move=> z; rewrite !in_itv /= => /andP[tz zs].
    move: sab tab; rewrite !in_itv/= => /andP[_ sb] /andP[a_t _].
    by rewrite (lt_le_trans a_t tz) (le_lt_trans zs sb).
  have [|c cts ->] := MVT_segment ts
      (fun z zts => dphi_ z (sub z (subset_itv_oo_cc zts))).
    apply: continuous_in_subspaceT => z zts.
    have /dphi_ [dz _] := sub z (set_mem zts).
    exact/differentiable_continuous/derivable1_diffP.
  rewrite normrM (@ger0_norm _ (s - t)) ?subr_ge0// ler_wpmul2r ?subr_ge0//.
  exact/boundM/sub.
move=> s t sab tab; case: (leP t s) => ts; first exact: key.
by rewrite distrC (distrC s); apply: key => //; apply: ltW.
Qed.


Lemma is_derive1P (f : R -> R) (x l : R) :
  is_derive x 1 f l <-> (fun h => h^-1 * (f (h + x) - f x)) @ 0^' --> l.
Proof.
have E : (fun h => h^-1 *: ((f \o shift x) (h *: 1) - f x)) =
         (fun h => h^-1 * (f (h + x) - f x)).
  by apply: funext => h /=; rewrite -[h%:A]/(h * 1) mulr1.
split.
  by case=> df <-; rewrite -E; exact: df.
by move=> H; apply: DeriveDef; [apply/cvg_ex; exists l; rewrite E|
  rewrite /derive E; exact: cvg_lim].
Qed.

Lemma near_dnbhs0P (P : R -> Prop) :
  (\forall h \near 0^', P h) <->
  exists2 d : R, 0 < d & forall h, `|h| < d -> h != 0 -> P h.
Proof.
rewrite near_withinE; split.
  move=> /nbhs_ballP[d /= d0 Hd]; exists d => // h hd h0.
  by apply: Hd => //; rewrite /ball /= sub0r normrN.
move=> [d d0 Hd]; apply/nbhs_ballP; exists d => //= h.
by rewrite /ball /= sub0r normrN; exact: Hd.
Qed.

Lemma is_derive_loc (F G : R -> R) (t l r : R) : 0 < r ->
  (forall s, `|s - t| < r -> F s = G s) ->
  is_derive t 1 F l -> is_derive t 1 G l.
Proof.
move=> r0 FG /is_derive1P HF; apply/is_derive1P.
apply: cvg_trans HF; apply: near_eq_cvg; apply/near_dnbhs0P.
by exists r => // h hr _; rewrite !FG ?subrr ?normr0// addrK.
Qed.

End real_tools.

Section leibniz.
Context d (T : measurableType d) (R : realType).
Variables (mu : {measure set T -> \bar R}) (D : set T) (mD : measurable D).
Variables (f df : R -> T -> R) (g : T -> R) (a b : R).
Hypothesis intf : forall t, t \in `]a, b[ -> mu.-integrable D (EFin \o f t).
Hypothesis derf : forall x, D x -> forall t, t \in `]a, b[ ->
  is_derive t 1 (f ^~ x) (df t x).
Hypothesis ig : mu.-integrable D (EFin \o g).
Hypothesis dfg : forall x, D x -> forall t, t \in `]a, b[ -> `|df t x| <= g x.

Let F t := fine (\int[mu]_(x in D) (f t x)%:E)%E.

Let mf t : t \in `]a, b[ -> measurable_fun D (f t).
Proof. by move=> /intf [] /EFin_measurable_fun. Qed.

Let lip x : D x -> forall s t, s \in `]a, b[ -> t \in `]a, b[ ->
  `|f s x - f t x| <= g x * `|s - t|.
Proof. by move=> Dx; apply: derive_lipschitz; [exact: derf|exact: dfg]. Qed.

Let quot_cvg t (u : nat -> R) : t \in `]a, b[ ->
  (forall n, u n != 0 /\ u n + t \in `]a, b[) -> u --> (0 : R) ->
  [/\ forall n, measurable_fun D (fun x => (u n)^-1 * (f (u n + t) x - f t x)),
      forall x, D x -> (fun n => (u n)^-1 * (f (u n + t) x - f t x)) --> df t x
    & forall x, D x -> forall n, `|(u n)^-1 * (f (u n + t) x - f t x)| <= g x].
Proof.
move=> tab Hu ucv; split.
- move=> n; apply: measurable_funrM; apply: measurable_funB; apply: mf => //.
  by case: (Hu n).
- move=> x Dx; apply: (@is_derive_seq _ (f ^~ x)) => //; first exact: derf.
  by move=> n; case: (Hu n).
- move=> y Dy n; have [u0 ut] := Hu n.
  rewrite normrM normfV ler_pdivr_mull ?normr_gt0// mulrC.
  by have := lip Dy ut tab; rewrite addrK.
Qed.

Lemma leibniz_measurable t : t \in `]a, b[ -> measurable_fun D (df t).
Proof.
move=> tab; pose del := (b - t) / 2.
have del0 : 0 < del by rewrite divr_gt0// subr_gt0; move: tab; rewrite in_itv/= => /andP[].
pose u n := del / n.+1%:R.
have Hu n : u n != 0 /\ u n + t \in `]a, b[.
  split; first by rewrite mulf_neq0 ?gt_eqF// invr_neq0// pnatr_eq0.
  move: tab; rewrite !in_itv/= => /andP[a_t tb].
  have un0 : 0 < u n by rewrite divr_gt0// ltr0n.
  have unle : u n <= del by rewrite ler_pdivr_mulr ?ltr0n// ler_pemulr ?ler1n// ltW.
  apply/andP; split; first by rewrite (lt_trans a_t)// ltr_addr.
  rewrite -ltr_subr_addr (le_lt_trans unle)//.
  by rewrite /del ltr_pdivr_mulr// ltr_pmulr ?subr_gt0// ltr1n.
have ucv : u --> (0 : R).
  rewrite -(mulr0 del); apply: cvgMr; exact: cvg_harmonic.
have [mq cq _] := quot_cvg tab Hu ucv.
exact: measurable_fun_cvg mq cq.
Qed.

Lemma leibniz_integrable t : t \in `]a, b[ -> mu.-integrable D (EFin \o df t).
Proof.
move=> tab; apply: le_integrable ig => //.
  exact/EFin_measurable_fun/leibniz_measurable.
move=> x Dx /=; rewrite lee_fin (le_trans (dfg Dx tab))//.
by rewrite ler_norm.
Qed.

Theorem leibniz_is_derive t : t \in `]a, b[ ->
  is_derive t 1 F (fine (\int[mu]_(x in D) (df t x)%:E)%E).
Proof.
move=> tab; pose I := fine (\int[mu]_(x in D) (df t x)%:E)%E.
pose r := minr (t - a) (b - t).
have r0 : 0 < r.
  by rewrite lt_minr !subr_gt0; move: tab; rewrite in_itv/= => /andP[-> ->].
have rin h : `|h| < r -> h + t \in `]a, b[.
  rewrite lt_minr => /andP[ha hb]; rewrite in_itv/=; apply/andP; split.
    rewrite -ltr_subl_addr; move: ha; rewrite ltr_norml opprB.
    by case/andP.
  by rewrite -ltr_subr_addr; move: hb; rewrite ltr_norml; case/andP.
have Q : (fun h => h^-1 *: ((F \o shift t) (h *: 1) - F t)) @ 0^' --> I.
  apply: (cvg_dnbhs0_seq r0) => u Hu ucv.
  have Hu' n : u n != 0 /\ u n + t \in `]a, b[.
    by case: (Hu n) => ? /rin.
  have [mq cq bq] := quot_cvg tab Hu' ucv.
  pose fu n x := ((u n)^-1 * (f (u n + t) x - f t x))%:E.
  have fcv : {ae mu, forall x, D x -> fu ^~ x --> (EFin \o df t) x}.
    apply: aeW => x Dx; apply/fine_cvgP; split; last exact: cq.
    exact: nearW.
  have fbd : {ae mu, forall x n, D x -> (`|fu n x| <= (EFin \o g) x)%E}.
    by apply: aeW => x n Dx /=; rewrite lee_fin; exact: bq.
  have [_ _ cvgI] := dominated_convergence mD
    (fun n => proj2 (EFin_measurable_fun _ _) (mq n))
    (proj2 (EFin_measurable_fun _ _) (leibniz_measurable tab)) fcv ig fbd.
  have eqI n : (\int[mu]_(x in D) ((u n)^-1 * (f (u n + t) x - f t x))%:E)%E
      = ((u n)^-1 * (F (u n + t) - F t))%:E.
    have [_ ut] := Hu' n.
    under eq_integral do rewrite EFinM EFinB.
    rewrite integralM//; last first.
      by apply: (integrableB mD); apply: intf.
rewrite integralB_EFin //; try exact: intf.
    rewrite /F EFinM EFinB !fineK //; apply: integral_fune_fin_num => //;
      exact: intf.
  have cvgI' : (fun n => ((u n)^-1 * (F (u n + t) - F t))%:E) --> I%:E.
    rewrite /I fineK; last first.
      by apply: integral_fune_fin_num => //; exact: leibniz_integrable.
    by rewrite -(funext eqI).
  have [_ cvgR] := proj1 (fine_cvgP _ _) cvgI'.
  apply: cvg_trans cvgR; apply: near_eq_cvg; apply: nearW => n /=.
  by rewrite -[(u n)%:A]/(u n * 1) mulr1.
apply: DeriveDef; first by apply/cvg_ex; exists I.
exact: cvg_lim.
Qed.

End leibniz.

Section integral_null.
Context d (T : measurableType d) (R : realType).
Variables (mu : {measure set T -> \bar R}) (D N : set T).
Hypotheses (mD : measurable D) (mN : measurable N) (N0 : mu N = 0%E).

Lemma integral_setD_null (f : T -> \bar R) : measurable_fun D f ->
  (\int[mu]_(x in D) f x = \int[mu]_(x in D `\` N) f x)%E.
Proof.
move=> mf; rewrite integralE [RHS]integralE.
rewrite (negligible_integral mN mD)//; last exact: emeasurable_fun_funepos.
rewrite [in LHS](negligible_integral mN mD)//.
exact: emeasurable_fun_funeneg.
Qed.

End integral_null.

Section leibniz_ae.
Context d (T : measurableType d) (R : realType).
Variables (mu : {measure set T -> \bar R}) (D N : set T).
Hypotheses (mD : measurable D) (mN : measurable N) (N0 : mu N = 0%E).
Variables (f df : R -> T -> R) (g : T -> R) (a b : R).
Hypothesis intf : forall t, t \in `]a, b[ -> mu.-integrable D (EFin \o f t).
Hypothesis mdf : forall t, t \in `]a, b[ -> measurable_fun D (df t).
Hypothesis derf : forall x, (D `\` N) x -> forall t, t \in `]a, b[ ->
  is_derive t 1 (f ^~ x) (df t x).
Hypothesis ig : mu.-integrable D (EFin \o g).
Hypothesis dfg : forall x, (D `\` N) x -> forall t, t \in `]a, b[ ->
  `|df t x| <= g x.

(** Differentiation under the integral when the pointwise hypotheses hold
    only outside a [mu]-null set [N]. *)
Theorem leibniz_is_derive_ae t : t \in `]a, b[ ->
  is_derive t 1 (fun s => fine (\int[mu]_(x in D) (f s x)%:E)%E)
    (fine (\int[mu]_(x in D) (df t x)%:E)%E).
Proof.
move=> tab; have mDN : measurable (D `\` N) by exact: measurableD.
have sub : D `\` N `<=` D by move=> ? [].
have := @leibniz_is_derive _ _ _ mu _ mDN f df g a b
  (fun s sab => integrableS mD mDN sub (intf sab)) derf
  (integrableS mD mDN sub ig) dfg t tab.
rewrite -integral_setD_null//; last exact/EFin_measurable_fun/mdf.
pose r := minr (t - a) (b - t).
have r0 : 0 < r.
  by rewrite lt_minr !subr_gt0; move: tab; rewrite in_itv/= => /andP[-> ->].
apply: (is_derive_loc r0) => s; rewrite lt_minr => /andP[ha hb].
have sab : s \in `]a, b[.
  rewrite in_itv/=; apply/andP; split.
    rewrite -(subrK t s) -ltr_subl_addr; move: ha; rewrite ltr_norml opprB.
    by case/andP.
  by rewrite -(subrK t s) -ltr_subr_addr; move: hb; rewrite ltr_norml; case/andP.
rewrite -integral_setD_null//.
by have [] := intf sab.
Qed.

End leibniz_ae.
